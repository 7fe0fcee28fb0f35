"""The install maps the top-level folders into one import package; check nothing is left out."""

import configparser
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAPPED = {
    "agentgym": "agentgym",
    "environments": "agentgym.environments",
    "sandboxes": "agentgym.sandboxes",
    "benchmarks": "agentgym.benchmarks",
}


def source_packages():
    found = set()
    for folder, prefix in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([prefix, *rel.parts]) if rel.parts else prefix)
    return found


def test_setup_cfg_lists_every_package():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    listed = set(cfg["options"]["packages"].split())
    assert source_packages() - listed == set(), "add these to [options] packages in setup.cfg"


def test_import_agentgym_is_light():
    code = "import sys, agentgym; print(sorted(m for m in ('torch', 'docker', 'transformers', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""


@pytest.mark.slow
def test_wheel_contains_every_module_and_data(tmp_path):
    # Build from a copy of the tree so no build folder lands in the source tree.
    src = tmp_path / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", "results"),
    )
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*cmd, "-w", str(tmp_path), str(src)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("agentgym-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, prefix in MAPPED.items():
        for src in (ROOT / folder).rglob("*.py"):
            rel = src.relative_to(ROOT / folder)
            if "results" in rel.parts:
                continue
            assert "/".join([*prefix.split("."), *rel.parts]) in names, src
        for data in (ROOT / folder).rglob("*.jsonl"):
            rel = data.relative_to(ROOT / folder)
            assert "/".join([*prefix.split("."), *rel.parts]) in names, data


def test_all_extra_holds_every_other_extra():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    extras = {
        name: {line.strip() for line in value.splitlines() if line.strip()}
        for name, value in cfg["options.extras_require"].items()
    }
    # Extras whose pins conflict with the rest stay out of `all`; CI tests each in its own
    # virtualenv made from tests/integrations/venvs/<extra>.txt, which must hold its pins.
    venvs = ROOT / "tests" / "integrations" / "venvs"
    isolated = {name for name in extras if (venvs / f"{name}.txt").exists()}
    for name in isolated:
        pins = {line.strip() for line in (venvs / f"{name}.txt").read_text().splitlines()}
        assert extras[name] <= pins, f"tests/integrations/venvs/{name}.txt lacks these pins"
    everything = set().union(
        *(reqs for name, reqs in extras.items() if name != "all" and name not in isolated)
    )
    assert everything - extras["all"] == set(), "add these to the all extra"
