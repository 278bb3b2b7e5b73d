"""The declared routes: each is an endpoint of Discord's published API, and only discord/ builds
Discord URLs or sends requests."""

import ast
import re
from pathlib import Path

import pytest

from channelwright.discord import routes
from channelwright.discord.routes import ROUTES, Route
from tests.support.openapi_spec import load_spec

PACKAGE = Path(routes.__file__).resolve().parents[1]  # lambda_src/channelwright
DISCORD_PATH_PREFIXES = ("/guilds/", "/channels/", "/webhooks/", "/applications/", "/users/", "/interactions/")


def shape(template: str) -> str:
    return re.sub(r"\{\w+\}", "{}", template)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_route_is_an_operation_of_discords_openapi_description(route):
    compiled = route.compile(**{name: str(1000 + i) for i, name in enumerate(route.params)})
    operation, _ = load_spec().find(route.method, compiled.path)
    assert hasattr(operation, "template"), f"{route.method} {route.path}: {operation}"
    assert shape(operation.template) == shape(route.path)


def test_routes_lists_every_declared_route_once():
    declared = [v for v in vars(routes).values() if isinstance(v, Route)]
    assert len(ROUTES) == len(set(ROUTES)) == len(declared) >= 21
    assert set(ROUTES) == set(declared)


def test_compile_requires_exactly_the_templates_parameters():
    with pytest.raises(ValueError, match="role_id"):
        routes.DELETE_GUILD_ROLE.compile(guild_id="1")
    with pytest.raises(ValueError):
        routes.GET_GUILD.compile(guild_id="1", channel_id="2")


def test_an_id_cannot_reach_another_path():
    compiled = routes.GET_GUILD_MEMBER.compile(guild_id="1", user_id="2/../../users/@me")
    assert compiled.path.count("/") == 4 and compiled.path.startswith("/guilds/1/members/")


def test_buckets_are_per_top_level_resource():
    """developers/topics/rate-limits.mdx: guild_id, channel_id and webhook_id + webhook_token."""
    first, second = (routes.GET_GUILD_CHANNELS.compile(guild_id=g) for g in ("1", "2"))
    assert first.bucket_key[0] == second.bucket_key[0] and first.bucket_key != second.bucket_key
    message = routes.CREATE_MESSAGE.compile(channel_id="7")
    assert message.major == "channels:7"
    one, other = (routes.CREATE_FOLLOWUP_MESSAGE.compile(application_id="5", interaction_token=t)
                  for t in ("token-a", "token-b"))
    assert one.major != other.major and "token" not in one.major
    assert not one.uses_bot_token and message.uses_bot_token


def _outside_discord_package():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "discord" not in path.relative_to(PACKAGE).parts[:1]:
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _leading_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return node.values[0].value
    return None


def test_no_module_outside_discord_builds_a_discord_url_or_sends_a_request():
    found = []
    for path, tree in _outside_discord_package():
        where = path.relative_to(PACKAGE)
        for node in ast.walk(tree):
            text = _leading_text(node)
            if text is not None and text.startswith(DISCORD_PATH_PREFIXES):
                found.append(f"{where}:{node.lineno}: a Discord path {text!r}")
            if isinstance(node, ast.Attribute) and node.attr == "request" and "rest" in ast.unparse(node.value):
                found.append(f"{where}:{node.lineno}: {ast.unparse(node)}() on a REST client")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                names += [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom) else []
                if any(n == "channelwright.discord.routes" for n in names):
                    found.append(f"{where}:{node.lineno}: imports channelwright.discord.routes")
    assert not found, "\n".join(dict.fromkeys(found))


def test_a_query_string_leaves_the_bucket_and_label_alone():
    plain = routes.GET_CHANNEL_MESSAGES.compile(channel_id="7")
    paged = plain.with_query(before="123", limit=100, after=None)
    assert paged.path == "/channels/7/messages?before=123&limit=100"
    assert (paged.bucket_key, paged.label) == (plain.bucket_key, plain.label)
    assert plain.with_query(before=None) == plain
