"""Run the sandbox server (or the zygote): ``python -s -P server/__main__.py --help``.

Run as a script, this folder is loaded as the package ``agentgym_sandbox_server`` without
putting anything on ``sys.path``: the calls the server forks must not import from it.
"""

import importlib.util
import os
import sys

if __name__ == "__main__":
    if __package__:
        from .main import main
    else:
        here = os.path.dirname(os.path.abspath(__file__))
        spec = importlib.util.spec_from_file_location(
            "agentgym_sandbox_server",
            os.path.join(here, "__init__.py"),
            submodule_search_locations=[here],
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = package
        spec.loader.exec_module(package)
        main = importlib.import_module(spec.name + ".main").main
    sys.exit(main())
