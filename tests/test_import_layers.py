"""Imports run downward only: interactions/worker -> ops -> commands -> tasks -> templates ->
campaigns -> text -> discord -> aws. A module may import from its own package and any package
below it, at its top or (to spare the request path's cold start) inside a function."""

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


def _imports(path: pathlib.Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in ROOT.rglob("*.py"):
        module = ".".join(("channelwright", *path.relative_to(ROOT).with_suffix("").parts))
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


def test_the_layer_rule_sees_an_upward_import(tmp_path, monkeypatch):
    bad = tmp_path / "campaigns"
    bad.mkdir()
    (bad / "leak.py").write_text("from channelwright.commands.lifecycle import on_button\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert upward_imports() == {("channelwright.campaigns.leak", "channelwright.commands.lifecycle")}
