"""The bot's message as the user sees it change: redrawn in place on a terminal, else each state once.

Discord edits the message in place; a terminal can too (cursor up, clear to the end), as long as we
know how many rows the last drawing took, wide characters and wrapped lines included.
"""

from __future__ import annotations

import shutil
import unicodedata
from typing import TextIO

CURSOR_UP_AND_CLEAR = "\x1b[{rows}F\x1b[J"


def display_width(text: str) -> int:
    width = 0
    for char in text:
        if unicodedata.combining(char) or char in "\u200d\ufe0f":
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def rows(text: str, columns: int) -> int:
    return sum(max(1, -(-display_width(line) // columns)) for line in text.split("\n"))


class MessageView:
    def __init__(self, out: TextIO, *, tty: bool | None = None, indent: str = "  │ "):
        self._out = out
        self._tty = out.isatty() if tty is None else tty
        self._indent = indent
        self._shown: str | None = None
        self._footer = ""
        self._rows = 0

    def show(self, text: str, footer: str = "") -> None:
        """`footer` is a status line under the message, drawn only on a terminal."""
        if text == self._shown and (footer == self._footer or not self._tty):
            return
        framed = "\n".join(self._indent + line for line in text.split("\n"))
        if self._tty:
            drawing = framed + ("\n\n" + footer if footer else "")
            if self._rows:
                self._out.write(CURSOR_UP_AND_CLEAR.format(rows=self._rows))
            self._rows = rows(drawing, shutil.get_terminal_size((100, 24)).columns)
            self._out.write(drawing + "\n")
        else:
            # A log or a pipe: every distinct state once, separated, so it reads as a history.
            self._out.write(("\n" if self._shown is not None else "") + framed + "\n")
        self._out.flush()
        self._shown, self._footer = text, footer

    @property
    def tty(self) -> bool:
        return self._tty

    def done(self) -> None:
        """Drop the status line; later output goes below the message for good."""
        if self._tty and self._footer and self._shown is not None:
            self.show(self._shown, "")
        self._rows = 0
