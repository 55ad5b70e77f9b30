"""Keras's progress bar: ``  3/469 ━━━━━━━━━━━━━━━━━━━━ 5s 11ms/step - accuracy: 0.71 - loss: 0.95``.

In a terminal the bar redraws in place (at most every ``interval`` seconds,
in Keras's colours) with the step count, the ETA, the time per step and the
values it is given; when the output is a file or a pipe only the final line
of each bar is written, without colour codes, so logs stay readable. ``verbose=2`` prints only the final line,
Keras's ``469/469 - 5s - 11ms/step - …`` form.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> bar = Progbar(4, verbose=2, stream=out)
    >>> for step in range(1, 5):
    ...     bar.update(step, [("loss", 1.0 / step)])
    >>> print(out.getvalue().strip())  # doctest: +ELLIPSIS
    4/4 - 0s - ...us/step - loss: 0.2500
"""
from __future__ import annotations

import logging
import math
import os
import sys
import time

from .. import config as _config

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


class Progbar:
    """A progress bar over ``target`` steps (None if unknown); values are shown as given."""

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1, interval: float = 0.05,
                 unit_name: str = "step", stream=None):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stream = stream or sys.stdout
        # keras.config.disable_interactive_logging() sends the lines to the 'keras' logger instead
        self._logged = not _config.is_interactive_logging_enabled()
        self.dynamic = not self._logged and _is_interactive(self.stream)
        self._styles = (_BOLD, _GREEN, _GREY, _RESET) if self.dynamic else ("", "", "", "")
        self._values: dict[str, float] = {}
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._previous_width = 0

    def update(self, current: int, values=None, finalize: bool | None = None) -> None:
        """Show step ``current`` with ``values`` (a list of (name, value) pairs)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            self._values[name] = value
        now = time.time()
        per_step = self._step_time(current, now)
        if self.verbose == 1 and (self.dynamic or finalize):
            if finalize or now - self._last_update >= self.interval:
                self._draw(current, per_step, now, finalize)
                self._last_update = now
        elif self.verbose == 2 and finalize:
            self._write(self._summary_line(current, per_step, now) + "\n")

    def _draw(self, current: int, per_step: float, now: float, finalize: bool) -> None:
        bold, _, _, reset = self._styles
        bar, visible = self._bar(current)
        if self.target is not None and not finalize:
            timing = f" {bold}{_eta(per_step * (self.target - current))}{reset}"
        else:
            timing = f" {bold}{now - self._start:.0f}s{reset}"
        info = timing + _per_step(per_step, self.unit_name) + self._values_text()
        visible += len(info) - len(bold) - len(reset)
        padding = " " * max(self._previous_width - visible, 0) if self.dynamic else ""
        prefix = "\r" if self.dynamic else ""
        self._write(prefix + bar + info + padding + ("\n" if finalize else ""))
        self._previous_width = visible

    def _bar(self, current: int) -> tuple[str, int]:
        """The step count and the bar, and their width on screen (without colour codes)."""
        if not self.target:
            text = f"{current:7d}/Unknown"
            return text, len(text)
        digits = int(math.log10(self.target)) + 1
        count = f"{current:{digits}d}/{self.target}"
        done = min(int(self.width * current / self.target), self.width)
        bold, green, grey, reset = self._styles
        bar = f"{bold}{count}{reset} "
        if done:
            bar += f"{green}{'━' * done}{reset}"
        if done < self.width:
            bar += f"{grey}{'━' * (self.width - done)}{reset}"
        return bar, len(count) + 1 + self.width

    def _summary_line(self, current: int, per_step: float, now: float) -> str:
        digits = int(math.log10(self.target)) + 1 if self.target else 1
        return (f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s -"
                f"{_per_step(per_step, self.unit_name)}{self._values_text()}")

    def _values_text(self) -> str:
        return "".join(f" - {name}: {_number(value)}" for name, value in self._values.items())

    def _step_time(self, current: int, now: float) -> float:
        # The first step (tracing, warm-up) is left out of the average once there are others.
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step

    def _write(self, text: str) -> None:
        if self._logged:
            logging.getLogger("keras").info(text.rstrip("\n"))
            return
        self.stream.write(text)
        self.stream.flush()


def _is_interactive(stream) -> bool:
    return (hasattr(stream, "isatty") and stream.isatty()) or "ipykernel" in sys.modules or \
        "PYCHARM_HOSTED" in os.environ


def _eta(seconds: float) -> str:
    if seconds > 3600:
        return f"{seconds // 3600:.0f}:{(seconds % 3600) // 60:02.0f}:{seconds % 60:02.0f}"
    if seconds > 60:
        return f"{seconds // 60:.0f}:{seconds % 60:02.0f}"
    return f"{seconds:.0f}s"


def _per_step(seconds: float, unit: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit}"
    return f" {seconds * 1e6:.0f}us/{unit}"


def _number(value) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"
