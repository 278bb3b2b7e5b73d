"""Imports run downward only: interactions/worker -> ops -> commands -> tasks -> templates ->
campaigns -> text -> discord -> aws. A module may import from its own package and any package
below it, at its top or (to spare the request path's cold start) inside a function, absolutely or
relatively; and every module belongs to a layer."""

import ast
import pathlib

import channelwright

ROOT = pathlib.Path(channelwright.__file__).parent
LAYERS = ["ops", "commands", "tasks", "templates", "campaigns", "text", "discord", "aws"]
ENTRIES = {"interactions", "worker"}  # the two Lambda handlers, above everything


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "channelwright" and len(parts) > 1 else None


def _rank(package: str | None) -> int | None:
    if package in ENTRIES:
        return -1
    return LAYERS.index(package) if package in LAYERS else None


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(("channelwright", *(parts[:-1] if parts[-1] == "__init__" else parts)))


def _imports(path: pathlib.Path):
    """Every module `path` imports, relative imports resolved; `from channelwright import name`
    yields `channelwright.name`, the package or entry module it names."""
    here = _module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]  # a module's relative imports start from its package
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield module
            if module == "channelwright":
                yield from (f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def modules_in_no_layer() -> set[str]:
    """Modules of no known layer: a new top-level module or package must take a place above."""
    return {module for module in map(_module_name, ROOT.rglob("*.py"))
            if module != "channelwright" and _rank(_package(module)) is None}


def upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in ROOT.rglob("*.py"):
        module = _module_name(path)
        mine = _package(module)
        for target in _imports(path):
            theirs = _package(target)
            if theirs is None or theirs == mine or _rank(theirs) is None or _rank(mine) is None:
                continue
            if _rank(theirs) <= _rank(mine) and {mine, theirs} != ENTRIES:
                found.add((module, target))
    return found


def test_every_import_goes_down_the_layers():
    assert upward_imports() == set()


def test_every_module_belongs_to_a_layer():
    assert modules_in_no_layer() == set()


def _plant(tmp_path, monkeypatch, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)


def test_the_layer_rule_sees_an_upward_import_inside_a_function(tmp_path, monkeypatch):
    _plant(tmp_path, monkeypatch, {"campaigns/leak.py": (
        "def later():\n    from channelwright.tasks import queue\n    return queue\n")})
    assert ("channelwright.campaigns.leak", "channelwright.tasks") in upward_imports()


def test_the_layer_rule_sees_a_relative_upward_import(tmp_path, monkeypatch):
    _plant(tmp_path, monkeypatch, {"text/leak.py": "from ..campaigns import store\n",
                                   "text/ok.py": "from . import names\nfrom ..discord import types\n",
                                   "discord/__init__.py": "from .. import text\n"})
    assert upward_imports() == {("channelwright.text.leak", "channelwright.campaigns"),
                                ("channelwright.discord", "channelwright.text")}


def test_the_layer_rule_sees_an_entry_module_imported_by_name(tmp_path, monkeypatch):
    _plant(tmp_path, monkeypatch, {"ops/leak.py": "from channelwright import worker\n"})
    assert upward_imports() == {("channelwright.ops.leak", "channelwright.worker")}


def test_a_module_outside_every_layer_is_named(tmp_path, monkeypatch):
    _plant(tmp_path, monkeypatch, {"__init__.py": "", "interactions.py": "", "helpers.py": "",
                                   "misc/__init__.py": "", "text/names.py": ""})
    assert modules_in_no_layer() == {"channelwright.helpers", "channelwright.misc"}


def test_the_layer_rule_sees_an_upward_import(tmp_path, monkeypatch):
    bad = tmp_path / "campaigns"
    bad.mkdir()
    (bad / "leak.py").write_text("from channelwright.commands.lifecycle import on_button\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert upward_imports() == {("channelwright.campaigns.leak", "channelwright.commands.lifecycle")}
