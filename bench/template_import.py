"""Worst-case template imports: how long and how much memory reading, validating and answering a
64 KiB file takes, for files built to be expensive (many errors, aliases, deep nesting, as many
values as allowed, the largest valid template), as JSON and as YAML.

Each file goes through what the worker does with a downloaded file: parse_template_file, then the
answer text (the error report or the saved confirmation). Time is the slowest of --runs runs
without tracing; memory is tracemalloc's peak above the start, in a separate run. Targets: under
0.5 s and under 64 MB each.

Run: .venv/bin/python bench/template_import.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "lambda_src"), str(ROOT)]

from channelwright.commands.campaign_template import invalid_text, saved_text  # noqa: E402
from channelwright.templates.files import MAX_NODES, parse_template_file  # noqa: E402
from channelwright.templates.schema import MAX_FILE_BYTES, TemplateInvalid  # noqa: E402

TIME_TARGET_S, MEMORY_TARGET_MB = 0.5, 64


def fill(make, size: int = MAX_FILE_BYTES) -> bytes:
    """The largest content `make(n)` gives within `size` bytes (n found by doubling, then bisecting)."""
    low, high = 1, 2
    while len(make(high)) <= size:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if len(make(middle)) <= size else (low, middle)
    return make(low)


# Channels each wrong four ways (invisible name, unknown type, gm_only not true/false, an unknown
# key needing a "did you mean" lookup): as many as the value limit allows, their keys made long
# enough to fill 64 KiB.
ERROR_CHANNELS = (MAX_NODES - 10) // 9


def many_errors_json(width: int) -> bytes:
    channels = [{"name": "\u3164", "type": "stage", "gm_only": "yes", f"x{i}-" + "k" * width: 1}
                for i in range(ERROR_CHANNELS)]
    return json.dumps({"id": "Bad Id", "title": "", "channels": channels}, ensure_ascii=False).encode()


def many_errors_yaml(width: int) -> bytes:
    lines = ["id: Bad Id", "title: ''", "channels:"]
    lines += [f"  - {{name: \"\\u3164\", type: stage, gm_only: maybe, x{i}-{'k' * width}: 1}}"
              for i in range(ERROR_CHANNELS)]
    return "\n".join(lines).encode()


def aliases_yaml(n: int) -> bytes:
    # The 0.5 KB bomb of the issue (9 aliases, 9 deep), padded with more aliases to 64 KiB.
    lines = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    lines += [f"b{i}: [" + ", ".join(["*a8"] * 9) + "]" for i in range(n)]
    return "\n".join(lines).encode()


def deep_json(n: int) -> bytes:
    return b"[" * n + b"]" * n


def deep_yaml(n: int) -> bytes:
    return ("x: " + "[" * n + "]" * n).encode()


def most_values_json(n: int) -> bytes:
    per = max(1, n // (MAX_NODES - 10))
    return json.dumps({"id": "t", "title": "T", "channels": [
        {"name": "c" * per, "type": "text"} for _ in range((MAX_NODES - 10) // 5)]}).encode()


def most_values_yaml(n: int) -> bytes:
    per = max(1, n // (MAX_NODES - 10))
    return ("id: t\ntitle: T\nchannels:\n" + "".join(
        f"  - {{name: {'c' * per}, type: text}}\n" for _ in range((MAX_NODES - 10) // 5))).encode()


def largest_valid(syntax: str):
    channels = [{"name": f"{i:02}-" + "x" * 97, "type": ("text", "voice", "forum")[i % 3],
                 "gm_only": i % 2 == 0} for i in range(45)]
    if syntax == "json":
        return json.dumps({"id": "largest", "title": "T" * 100, "channels": channels}, indent=8).encode()
    return ("id: largest\ntitle: " + "T" * 100 + "\nchannels:\n" + "".join(
        f"  - name: {c['name']}\n    type: {c['type']}\n    gm_only: {str(c['gm_only']).lower()}\n"
        for c in channels)).encode()


CASES = [
    ("JSON: many errors", "t.json", lambda: fill(many_errors_json)),
    ("YAML: many errors", "t.yaml", lambda: fill(many_errors_yaml)),
    ("YAML: aliases (9 wide, 9 deep, padded)", "t.yaml", lambda: fill(aliases_yaml)),
    ("JSON: deep nesting", "t.json", lambda: fill(deep_json)),
    ("YAML: deep nesting", "t.yaml", lambda: fill(deep_yaml)),
    ("JSON: as many values as allowed", "t.json", lambda: fill(most_values_json)),
    ("YAML: as many values as allowed", "t.yaml", lambda: fill(most_values_yaml)),
    ("JSON: largest valid template", "t.json", lambda: largest_valid("json")),
    ("YAML: largest valid template", "t.yaml", lambda: largest_valid("yaml")),
]


def import_once(content: bytes, filename: str) -> str:
    """What the worker does with a downloaded file, up to the text the user reads."""
    try:
        return saved_text(parse_template_file(content, filename), replaced=False)
    except TemplateInvalid as invalid:
        return invalid_text(filename, invalid.errors)


def measure(content: bytes, filename: str, runs: int) -> tuple[float, float, str]:
    import_once(content, filename)  # warm: imports, caches
    slowest = 0.0
    for _ in range(runs):
        started = time.perf_counter()
        answer = import_once(content, filename)
        slowest = max(slowest, time.perf_counter() - started)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    import_once(content, filename)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return slowest, peak / 2 ** 20, answer


def parsers(filename: str):
    """YAML is read with libyaml's events when PyYAML has it (Lambda's asset leaves it out), else with
    PyYAML's own Python parser: both are measured. JSON has one reader."""
    import yaml

    if not filename.endswith(".yaml"):
        yield "json"
        return
    real = yaml.__with_libyaml__
    for name, libyaml in (("libyaml", real), ("Python", False)):
        if name == "libyaml" and not real:
            continue
        yaml.__with_libyaml__ = libyaml  # templates.yaml_file.load reads it at every call
        try:
            yield name
        finally:
            yaml.__with_libyaml__ = real


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print("| file | parser | bytes | slowest s | peak extra MB | answer |")
    print("|---|---|---|---|---|---|")
    ok = True
    for title, filename, make in CASES:
        content = make()
        for reader in parsers(filename):
            seconds, megabytes, answer = measure(content, filename, args.runs)
            ok &= seconds < TIME_TARGET_S and megabytes < MEMORY_TARGET_MB
            first = answer.splitlines()[0].replace("|", "\\|")
            first = first if len(first) <= 60 else first[:57] + "..."
            print(f"| {title} | {reader} | {len(content):,} | {seconds:.3f} | {megabytes:.1f} | {first} |")
    print(f"\ntargets: < {TIME_TARGET_S} s and < {MEMORY_TARGET_MB} MB each: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
