"""Where commands write, and how they ask before doing something that cannot be undone."""

from dataclasses import dataclass
from typing import TextIO

from .errors import UsageError


@dataclass
class Console:
    out: TextIO
    err: TextIO
    stdin: TextIO

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def warn(self, text: str) -> None:
        print(text, file=self.err)

    def confirm(self, question: str, *, assume_yes: bool, action: str) -> bool:
        """True when the operator agreed (or passed --yes).

        Without a terminal nobody can answer, and a script that forgot --yes must not block on a
        prompt nor be taken as a yes: refuse, as a usage error.
        """
        if assume_yes:
            return True
        if not _is_tty(self.stdin):
            raise UsageError(f"Refusing to {action} without confirmation: no terminal to ask on. "
                             "Pass --yes to confirm.")
        self.out.write(f"{question} [y/N] ")
        self.out.flush()
        return self.stdin.readline().strip().lower() in ("y", "yes")


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False
