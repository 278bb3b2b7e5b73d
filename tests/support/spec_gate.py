"""The suite-wide gate: every request an emulator sees in a test is held to Discord's spec.

`watching(emu)` (a context manager, used where a test fixture starts an emulator) registers
an observer on the emulator, so records reach the gate as they complete - before the reply is
written, and whatever `clear_requests()`/`reset()` later do to the emulator's log. The autouse
fixture in tests/conftest.py calls `take_violations()` after each test and fails it with
`report(...)`. Anything completing after a module's last test is checked when `watching` ends.

`@pytest.mark.spec_exempt("why")` on a test waives the REQUEST side only (for tests whose
point is sending Discord something invalid); what the emulator answers is always checked.
Local mode (tests/local) runs its emulator in another process and is not gated.
"""

import contextlib
import threading

from .openapi_check import SpecChecker, Violation

_checker: SpecChecker | None = None
_pending: list = []
_lock = threading.Lock()


def checker() -> SpecChecker:
    global _checker
    if _checker is None:
        _checker = SpecChecker()
    return _checker


def _observe(record) -> None:
    with _lock:
        _pending.append(record)


@contextlib.contextmanager
def watching(emu):
    """Gate `emu`'s traffic for as long as the block runs (typically a fixture's lifetime)."""
    checker()  # load the spec before traffic starts, not inside the first test's timing
    emu.observe_requests(_observe)
    try:
        yield emu
    finally:
        leftovers = take_violations(exempt_requests=False)
        if leftovers:
            raise AssertionError(report(leftovers, "after the module's last test"))


def take_violations(exempt_requests: bool) -> list[Violation]:
    """Check every record completed since the last call; with `exempt_requests`, drop
    violations of what the client sent (the test's own invalid input)."""
    with _lock:
        records, _pending[:] = list(_pending), []
    found = [v for record in records for v in checker().check(record)]
    return [v for v in found if v.side == "response" or not exempt_requests]


def report(violations: list[Violation], when: str = "") -> str:
    """A readable failure: one line per violation, requests first, at most 30 lines."""
    ordered = sorted(violations, key=lambda v: (v.side != "request", v.operation, v.part))
    unique = list(dict.fromkeys(str(v) for v in ordered))
    lines = unique[:30] + ([f"... and {len(unique) - 30} more"] if len(unique) > 30 else [])
    head = (f"{len(violations)} request(s)/response(s) Discord's OpenAPI description rejects"
            f"{' ' + when if when else ''} (tests/spec/discord-openapi.json; "
            "@pytest.mark.spec_exempt(reason) waives the request side for invalid-input tests):")
    return "\n".join([head] + ["  " + line for line in lines])
