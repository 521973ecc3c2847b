"""A text progress bar for management commands (no extra package needed)."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    """``bar(done, total)`` redraws one line: ``label [#####-----] 50% 5/10 1.2s``.

    On a terminal every call redraws; into a file or a pipe only the finished bar is written,
    so logs do not fill with carriage returns.
    """

    def __init__(self, stream: TextIO, label: str, *, width: int = 30, enabled: bool = True):
        self.stream = stream
        self.label = label
        self.width = width
        self.enabled = enabled
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if done < total and not self.stream.isatty():
            return
        share = done / total if total else 1.0
        filled = round(share * self.width)
        elapsed = time.monotonic() - self.started
        line = (
            f"\r{self.label} [{'#' * filled}{'-' * (self.width - filled)}] "
            f"{share:4.0%} {done}/{total} {elapsed:.1f}s"
        )
        self.stream.write(line, ending="\n" if done >= total else "")
        self.stream.flush()
