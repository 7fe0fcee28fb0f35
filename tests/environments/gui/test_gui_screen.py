"""Widget behaviour: focus, keyboard, menus, drop-downs, dialogs, scrolling, hit-testing."""

import pytest

from agentgym.environments.gui import GUIEnv


@pytest.fixture
def files_env():
    env = GUIEnv(reward_mode="dense")
    env.reset(options={"task_id": "files-delete/hard/0"})
    return env


def step(env, action):
    obs, r, term, trunc, info = env.step(action)
    return obs, info


def element(env, key):
    w = env.screen.find(key)
    assert w is not None and w.id, key
    return w


def test_text_observation_lists_ids(files_env):
    tree = files_env.accessibility_tree()
    assert tree.startswith('window "Files - /Documents"')
    assert '[1] menu "File"' in tree
    assert 'textbox "Path" value="/Documents"' in tree
    assert "(rows 1-" in tree and "scrollable)" in tree


def test_tab_order_cycles_forward_and_back(files_env):
    env = files_env
    ids = []
    for _ in range(4):
        step(env, "<key>Tab</key>")
        ids.append(env.screen.focused.id)
    assert ids == sorted(ids) and len(set(ids)) == 4
    step(env, "<key>Shift+Tab</key>")
    assert env.screen.focused.id == ids[-2]


def test_typing_goes_to_the_focused_field(files_env):
    env = files_env
    path = element(env, "files:path")
    step(env, f"<click>{path.id}</click>")
    for ch in "xy":
        step(env, f"<key>{ch}</key>")
    assert env.screen.find("files:path").value == "/Documentsxy"
    step(env, "<key>Backspace</key>")
    step(env, "<key>Backspace</key>")
    step(env, "<key>Enter</key>")
    assert env.app.ui["cwd"] == "/Documents"
    obs, info = step(env, "<key>q</key>")
    assert env.screen.find("files:path").value == "/Documentsq"


def test_typing_without_focus_is_an_error(files_env):
    obs, info = step(files_env, "<key>z</key>")
    assert "no text box has focus" in obs
    assert info["tool_results"][0]["ok"] is False


def test_dialog_enter_submits_and_escape_closes(files_env):
    env = files_env
    step(env, f"<click>{element(env, 'files:btn:New folder').id}</click>")
    assert env.screen.modal is not None and env.screen.modal.name == "New folder"
    # Everything behind a modal dialog is inert: only the dialog's elements have ids.
    assert all(w.key.startswith("dialog") for w in env.screen.interactive)
    step(env, f'<type id="{element(env, "dialog:value").id}">Scans</type>')
    step(env, "<key>Enter</key>")
    assert env.screen.modal is None and env.app.exists("/Documents/Scans")
    step(env, f"<click>{element(env, 'files:btn:New folder').id}</click>")
    step(env, "<key>Escape</key>")
    assert env.screen.modal is None


def test_menu_opens_and_escape_closes(files_env):
    env = files_env
    obs, _ = step(env, f"<click>{element(env, 'menu:Edit').id}</click>")
    assert 'menu "Edit" expanded' in obs and 'menuitem "Select all"' in obs
    step(env, "<key>Escape</key>")
    assert env.screen.open_key is None
    step(env, f"<click>{element(env, 'menu:Edit').id}</click>")
    item = next(w for w in env.screen.interactive if w.name == "Select all")
    step(env, f"<click>{item.id}</click>")
    assert env.screen.open_key is None
    assert len(env.app.ui["selection"]) == len(env.app.children("/Documents"))


def test_dropdown_popup_select_and_errors():
    env = GUIEnv()
    env.reset(options={"task_id": "settings-dark-font/easy/0"})
    combo = element(env, "set:font_size")
    obs, _ = step(env, f"<click>{combo.id}</click>")
    assert "expanded" in obs and 'option "Large"' in obs
    option = next(w for w in env.screen.interactive if w.role == "option" and w.name == "Large")
    step(env, f"<click>{option.id}</click>")
    assert env.app.ui["pending"]["font_size"] == "Large" and env.screen.open_key is None
    obs, info = step(env, f'<select id="{combo.id}">Huge</select>')
    assert 'no option "Huge"' in obs and "Extra large" in obs
    obs, _ = step(env, f'<select id="{combo.id}">Small</select>')
    assert env.app.ui["pending"]["font_size"] == "Small"
    # select() also picks radio buttons of a group by label.
    radio = element(env, "set:scale:150%")
    step(env, f'<select id="{radio.id}">200%</select>')
    assert env.app.ui["pending"]["scale"] == "200%"


def test_invalid_ids_are_penalised(files_env):
    obs, info = step(files_env, "<click>999</click>")
    assert "no element with id 999" in obs
    assert info["reward_components"]["invalid"] < 0
    obs, info = step(
        files_env, f'<type id="{element(files_env, "files:btn:New folder").id}">x</type>'
    )
    assert "not a text box" in obs and info["reward_components"]["invalid"] == 0


def test_scrolling(files_env):
    env = files_env
    table = env.screen.find("files:table")
    first, visible, total = table.scroll
    assert total > visible
    row = next(w for w in env.screen.interactive if w.role == "row")
    obs, _ = step(env, f'<scroll id="{row.id}">down</scroll>')
    assert env.screen.find("files:table").scroll[0] > 0
    obs, _ = step(env, f'<scroll id="{element(env, "files:btn:New folder").id}">down</scroll>')
    assert "not in a scrollable area" in obs
    obs, info = step(env, f'<scroll id="{row.id}">sideways</scroll>')
    assert info["tool_results"][0]["ok"] is False


def test_arrow_keys_move_row_selection(files_env):
    env = files_env
    rows = [w for w in env.screen.interactive if w.role == "row"]
    step(env, f"<click>{rows[0].id}</click>")
    step(env, "<key>Down</key>")
    assert env.app.ui["selection"] == [rows[1].key.removeprefix("files:row:")]


@pytest.mark.parametrize("size", [(640, 400), (1280, 800)])
def test_click_xy_hits_the_element_under_the_point(size):
    env = GUIEnv(obs_mode="screenshot", screen_size=size)
    env.reset(options={"task_id": "mail-star/easy/0"})
    scale = size[0] / 640
    x, y, w, h = env.screen.find("mail:folder:Archive").rect
    env.step(f'<click_xy x="{(x + w / 2) * scale}" y="{(y + h / 2) * scale}"/>')
    assert env.app.ui["folder"] == "Archive"
    *_, info = env.step('<click_xy x="5000" y="5"/>')
    assert "off the screen" in info["tool_results"][0]["output"]


def test_menu_keyboard_navigation(files_env):
    env = files_env
    edit = element(env, "menu:Edit")
    step(env, f"<click>{edit.id}</click>")
    step(env, "<key>Escape</key>")
    assert env.screen.focused.key == "menu:Edit" and env.screen.open_key is None
    step(env, "<key>Down</key>")
    assert env.screen.open_key == "menu:Edit" and env.screen.focused.name == "Cut"
    for _ in range(3):
        step(env, "<key>Down</key>")
    assert env.screen.focused.name == "Select all"
    step(env, "<key>Enter</key>")
    assert env.screen.open_key is None
    assert len(env.app.ui["selection"]) == len(env.app.children("/Documents"))
