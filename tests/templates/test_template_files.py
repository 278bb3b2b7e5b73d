"""Template files built to hurt: aliases, anchors, tags, deep nesting, huge counts, thousands of
errors. Each is refused before any object is built from it, with a short report that quotes
only clipped pieces of the file."""

import json

import pytest

from channelwright.commands.campaign_template import invalid_text
from channelwright.templates.files import MAX_DEPTH, MAX_NODES, read_document
from channelwright.templates.files import parse_template_file
from channelwright.templates.schema import TemplateInvalid


def refusal(content: bytes | str, filename: str) -> list[str]:
    if isinstance(content, str):
        content = content.encode()
    with pytest.raises(TemplateInvalid) as refused:
        parse_template_file(content, filename)
    return refused.value.errors


def billion_laughs(width: int = 9, depth: int = 8) -> str:
    """Each level a list of `width` aliases of the level below: width**depth values."""
    lines = ['a0: &a0 "lol"']
    for level in range(1, depth + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + f"\nid: x\ntitle: *a{depth}\nchannels: []\n"


@pytest.mark.parametrize("yaml_text, says", [
    (billion_laughs(), "uses an anchor (&name)"),
    ("id: &i t\ntitle: T\nchannels: []\n", "uses an anchor (&name)"),
    ("id: t\ntitle: *missing\n", "uses an alias (*name)"),
    ("base: {type: text}\nid: t\ntitle: T\nchannels:\n  - <<: {type: text}\n    name: a\n",
     "uses a merge key (<<)"),
    ("!!python/object/apply:os.system ['true']", "uses the tag !!python/object/apply:os.system"),
    ("id: !!python/name:os.system t\n", "uses the tag !!python/name:os.system"),
    ("id: !!binary aGVsbG8=\n", "uses the tag !!binary"),
    ("id: !!timestamp 2024-01-01\n", "uses the tag !!timestamp"),
    ("id: !!set {a, b}\n", "uses the tag !!set"),
    ("id: !custom t\n", "uses the tag !custom"),
    ("--- !<tag:example.com,2024:x>\nid: t\n", "uses the tag tag:example.com,2024:x"),
])
def test_yaml_anchors_aliases_merges_and_tags_are_refused(yaml_text, says):
    [error] = refusal(yaml_text, "t.yaml")
    assert error.startswith(f"file: {says}") and "(line " in error


@pytest.mark.parametrize("yaml_text", [
    "id: !!str t\ntitle: !!str T\nchannels: !!seq\n  - !!map {name: a, type: text, gm_only: !!bool true}\n",
    "id: ! t\ntitle: T\nchannels:\n  - {name: a, type: text}\n",
])
def test_yaml_own_plain_tags_are_fine(yaml_text):
    assert parse_template_file(yaml_text.encode(), "t.yaml").id == "t"


def nested_yaml(depth: int) -> str:
    return "id: t\ntitle: T\nchannels:\n" + "".join("  " * (i + 1) + "- \n" for i in range(depth))


@pytest.mark.parametrize("content, filename", [
    (nested_yaml(MAX_DEPTH + 1), "t.yaml"),
    ("x: " + "[" * 5000 + "]" * 5000, "t.yaml"),
    ("x: " + "{a: " * 500 + "1" + "}" * 500, "t.yml"),
    ('{"channels": ' + "[" * 20 + "]" * 20 + "}", "t.json"),
    ('{"a": ' * 30 + "1" + "}" * 30, "t.json"),
    ("[" * 60_000, "t.json"),
])
def test_deep_nesting_is_refused_before_parsing(content, filename):
    [error] = refusal(content, filename)
    assert f"nests deeper than {MAX_DEPTH} levels" in error


@pytest.mark.parametrize("content, filename", [
    ("\n".join(f"k{i}: {i}" for i in range(MAX_NODES)), "t.yaml"),
    ("[" + ",".join("1" for _ in range(MAX_NODES + 5)) + "]", "t.json"),
    (json.dumps({f"k{i}": i for i in range(MAX_NODES)}), "t.json"),
    ("channels:\n" + "".join(f"- {{name: c{i}, type: text}}\n" for i in range(1000)), "t.yaml"),
])
def test_too_many_values_are_refused_before_validation(content, filename):
    [error] = refusal(content, filename)
    assert f"holds more than {MAX_NODES:,} values" in error


def test_the_limits_leave_room_for_the_largest_valid_template():
    channels = [{"name": f"channel-{i}-" + "x" * 80, "type": "forum", "gm_only": True} for i in range(45)]
    text = json.dumps({"id": "big", "title": "T" * 100, "channels": channels}, indent=4)
    assert len(parse_template_file(text.encode(), "big.json").channels) == 45
    yaml_text = "id: big\ntitle: Big\nchannels:\n" + "".join(
        f"  - name: {c['name']}\n    type: forum\n    gm_only: true\n" for c in channels)
    assert len(parse_template_file(yaml_text.encode(), "big.yaml").channels) == 45


@pytest.mark.parametrize("value", ["x" * 15_000, "é" * 7_000, "👩\u200d🚀" * 1_300])
def test_a_huge_value_is_quoted_clipped(value):
    errors = refusal(json.dumps({"id": value, "title": value, "channels": [{"name": value, "type": value}]},
                                ensure_ascii=False), "t.json")
    assert len(errors) == 4
    assert all(len(error) < 300 for error in errors), [len(e) for e in errors]


@pytest.mark.parametrize("key", ["k" * 50_000, "gm_only" + "!" * 30_000])
def test_a_huge_unknown_key_is_quoted_clipped(key):
    errors = refusal(json.dumps({"id": "t", "title": "T", "channels": [{"name": "a", "type": "text", key: 1}]}),
                     "t.json")
    [error] = errors
    assert error.startswith("channels[0].kkkk" if key.startswith("k") else "channels[0].gm_only!!")
    assert len(error) < 200


def many_errors_json() -> bytes:
    """Close to 64 KiB and the value limit: channels that are each wrong in four ways."""
    channels = [{"name": "\u3164", "type": "stage", "gm_only": "yes", f"extra-{i:03}-" + "x" * 225: 1}
                for i in range(215)]
    return json.dumps({"id": "Bad Id", "title": "", "channels": channels}).encode()


def test_a_file_of_hundreds_of_errors_is_reported_within_one_message():
    content = many_errors_json()
    assert 50_000 < len(content) <= 64 * 1024
    with pytest.raises(TemplateInvalid) as refused:
        parse_template_file(content, "many.json")
    errors = refused.value.errors
    assert len(errors) > 500
    text = invalid_text("many.json", errors)
    assert len(text) <= 2000
    assert f"it has {len(errors)} problems" in text
    shown = text.count("\n• ")
    assert f"...and {len(errors) - shown} more" in text  # the count of what isn't shown is exact


@pytest.mark.parametrize("content, filename, says", [
    (b"\xff\xfe{}", "t.json", "UTF-16"),
    (b"id: t\n\xc3(", "t.yaml", "not UTF-8 text"),
    (b"   \n\t", "t.yaml", "is empty"),
    (b"1" * 5000, "t.json", "a number of 5,000 digits"),  # more than Python will read as a number
    (b"id: " + b"1" * 5000, "t.yaml", "a number of 5,000 digits"),
    (b"---\nid: a\n---\nid: b\n", "t.yaml", "not valid YAML"),
    (b"? [a, b]\n: c\n", "t.yaml", "not valid YAML"),
])
def test_odd_files_get_one_short_error(content, filename, says):
    [error] = refusal(content, filename)
    assert says in error and len(error) < 300


def test_reading_keeps_only_plain_data():
    data = read_document(b"id: t\ntitle: T\nchannels: [{name: a, type: text}]\n", "t.yaml")
    assert data == {"id": "t", "title": "T", "channels": [{"name": "a", "type": "text"}]}


@pytest.fixture(params=["libyaml", "Python"])
def yaml_parser(request, monkeypatch):
    """Both ways PyYAML reads: libyaml's events (Lambda's wheel has it) and its own parser."""
    import yaml

    if request.param == "Python":
        monkeypatch.setattr(yaml, "__with_libyaml__", False)
    elif not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml here")
    return request.param


@pytest.mark.parametrize("yaml_text, says", [
    (billion_laughs(), "file: uses an anchor (&name)"),
    (nested_yaml(MAX_DEPTH + 1), f"file: nests deeper than {MAX_DEPTH} levels"),
    ("\n".join(f"k{i}: {i}" for i in range(MAX_NODES)), f"file: holds more than {MAX_NODES:,} values"),
    ("id: !!python/name:os.system t\n", "file: uses the tag !!python/name:os.system"),
])
def test_both_yaml_parsers_refuse_alike(yaml_parser, yaml_text, says):
    [error] = refusal(yaml_text, "t.yaml")
    assert error.startswith(says)


def test_both_yaml_parsers_read_a_template_alike(yaml_parser):
    from tests.support.templates import WEST_MARCHES_YAML

    template = parse_template_file(WEST_MARCHES_YAML, "w.yaml")
    assert [c.name for c in template.channels] == ["town-square", "Tavern", "expedition-reports", "gm-notes"]
    with pytest.raises(TemplateInvalid, match="appears twice"):
        parse_template_file(b"id: t\nid: u\ntitle: T\nchannels: [{name: a, type: text}]\n", "t.yaml")
