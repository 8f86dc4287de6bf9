"""A one-line progress bar for long builds: papers done, rate, ETA; silent unless the stream is a terminal.

It writes to stderr (the build's summary goes to stdout), redraws at most a few times a second, and prints
nothing at all when stderr is redirected to a file or a pipe, so logs and CI output stay clean.

Examples
--------
>>> import io
>>> bar = Progress(total=10, stream=io.StringIO())   # not a terminal: disabled
>>> bar.update(4); bar.close(); bar.stream.getvalue()
''
>>> format_line(250, 1000, 12.5)
' 250/1,000 papers  [=====>              ]  25%  20 papers/s  ETA 38s'
>>> format_line(250, None, 12.5)
' 250 papers  20 papers/s'
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress", "format_line", "format_duration"]

BAR_WIDTH = 20


def format_duration(seconds: float) -> str:
    """Seconds as '37s', '4m05s' or '2h03m'.

    >>> format_duration(37.2), format_duration(245), format_duration(7380)
    ('37s', '4m05s', '2h03m')
    """
    s = int(round(max(seconds, 0)))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def format_line(done: int, total: int | None, elapsed: float, unit: str = "papers") -> str:
    """The text of the bar: count (of total), a bar and percentage when the total is known, rate, ETA."""
    rate = done / elapsed if elapsed > 0 else 0.0
    if not total:
        return f" {done:,} {unit}  {rate:,.0f} {unit}/s"
    frac = min(done / total, 1.0)
    filled = int(frac * BAR_WIDTH)
    bar = "=" * filled + (">" if filled < BAR_WIDTH else "") + " " * (BAR_WIDTH - filled - 1)
    eta = f"  ETA {format_duration((total - done) / rate)}" if rate > 0 and done < total else ""
    return f" {done:,}/{total:,} {unit}  [{bar[:BAR_WIDTH]}] {frac:4.0%}  {rate:,.0f} {unit}/s{eta}"


class Progress:
    """Progress of a long job on `stream` (stderr by default), drawn only when it is a terminal.

    `total` may be unknown (None) or an estimate; `set_total` changes it later. Use as a context manager,
    or call `close()` to end the line.
    """

    def __init__(self, total: int | None = None, stream=None, enabled: bool | None = None, unit: str = "papers",
                 min_interval: float = 0.25):
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.total = total
        self.unit = unit
        self.done = 0
        self.min_interval = min_interval
        self._start = time.monotonic()
        self._last = 0.0
        self._width = 0

    def set_total(self, total: int | None) -> None:
        self.total = total

    def update(self, n: int = 1) -> None:
        """Count `n` more done and redraw if enough time has passed."""
        self.done += n
        now = time.monotonic()
        if self.enabled and now - self._last >= self.min_interval:
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        total = self.total if self.total is None or self.total >= self.done else None
        line = format_line(self.done, total, now - self._start, self.unit)
        pad = max(self._width - len(line), 0)
        self._width = len(line)
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line (nothing when disabled)."""
        if self.enabled and self.done:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
        self.enabled = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
