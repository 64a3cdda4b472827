"""What a snippet prints, at the level of file descriptors 1 and 2, section by section.

Everything that reaches the terminal when the script runs alone reaches the page: print,
sys.stdout.buffer, os.write(1, ...), child processes, threads and loggers set up in an earlier
section (they hold the same sys.stdout/sys.stderr objects, which never change). A reader
thread drains the pipe, keeping the first bytes of each section and only counting the rest.
"""

from __future__ import annotations

import io
import os
import re
import sys
import threading
from dataclasses import dataclass

# Terminal escape sequences: CSI (colours, cursor moves), OSC (titles, links) and the other
# ESC-introduced controls. A page shows the text, never the codes.
ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[ -/]*[0-~])")
# Control characters left after that (NUL, bell, backspace, form feed, C1 codes); tab and newline stay.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# How long to wait for a section's output to arrive through the pipe after the section ended.
DRAIN_SECONDS = 10.0


@dataclass
class Printed:
    """One section's bytes as kept, and how many more were printed and dropped."""

    kept: bytes
    dropped: int
    last_byte: bytes


class SectionBuffer:
    """The first `keep_bytes` bytes of a section; past that, bytes are only counted, so endless printing cannot fill the memory."""

    def __init__(self, keep_bytes: int):
        self.keep_bytes = keep_bytes
        self.kept = bytearray()
        self.dropped = 0
        self.last = b""

    def add(self, data: bytes) -> None:
        if not data:
            return
        room = max(0, self.keep_bytes - len(self.kept))
        self.kept += data[:room]
        self.dropped += max(0, len(data) - room)
        self.last = data[-1:]

    def close(self) -> Printed:
        return Printed(bytes(self.kept), self.dropped, self.last)


class FdCapture:
    """Point fds 1 and 2 at a pipe for the rest of the process; `take()` returns what came since the last call."""

    def __init__(self, keep_bytes: int):
        self.keep_bytes = keep_bytes
        self.token = b"\x00execdocs-section-end-" + os.urandom(12).hex().encode() + b"\x00"
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, 1)
        os.dup2(write_fd, 2)
        os.close(write_fd)
        self._read_fd = read_fd
        self._section = SectionBuffer(keep_bytes)
        self._done = threading.Condition()
        self._finished: list[Printed] = []
        # One text stream per fd for the whole run, line-buffered like a terminal's.
        sys.stdout = _stream(1)
        sys.stderr = _stream(2)
        threading.Thread(target=self._drain, daemon=True).start()

    def take(self) -> Printed | None:
        """Everything printed since the last call, once it has come through the pipe; None if it never does."""
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        with self._done:
            expected = len(self._finished) + 1
            try:
                os.write(1, self.token)
            except OSError:
                return None
            self._done.wait_for(lambda: len(self._finished) >= expected, timeout=DRAIN_SECONDS)
            return self._finished[expected - 1] if len(self._finished) >= expected else None

    def _drain(self) -> None:
        held = b""  # the end of the last read, which may be the start of a token
        while True:
            data = os.read(self._read_fd, 1 << 16)
            if not data:
                return
            data = held + data
            while (index := data.find(self.token)) >= 0:
                self._section.add(data[:index])
                with self._done:
                    self._finished.append(self._section.close())
                    self._section = SectionBuffer(self.keep_bytes)
                    self._done.notify_all()
                data = data[index + len(self.token):]
            keep = len(data) - _partial_token(data, self.token)
            self._section.add(data[:keep])
            held = data[keep:]


def _partial_token(data: bytes, token: bytes) -> int:
    """Length of the longest end of `data` that begins `token`."""
    for size in range(min(len(data), len(token) - 1), 0, -1):
        if token.startswith(data[-size:]):
            return size
    return 0


def _stream(fd: int) -> io.TextIOWrapper:
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8", errors="backslashreplace",
                            newline="\n", line_buffering=True)


def printed_text(printed: Printed | None, limits: dict, replacements: list[tuple[str, str]]) -> str:
    """A section's output as a page shows it: decoded, build paths made relative, cleaned and cut."""
    if printed is None:
        return "[... output lost: it did not arrive within the time allowed after the section ended]\n"
    text = printed.kept.decode("utf-8", errors="backslashreplace")  # bytes written to .buffer may be anything
    for old, new in replacements:
        text = text.replace(old, new)
    dropped = printed.dropped - (printed.dropped > 0 and printed.last_byte == b"\n")  # a final newline is no content
    return clean_output(text, limits, dropped)


def clean_output(text: str, limits: dict, dropped: int = 0) -> str:
    """What a terminal would show, made safe for a page: no control codes, runaway output cut with a note.

    `dropped` counts bytes printed beyond what was kept in memory; they are reported as cut.
    """
    if not text and not dropped:
        return ""
    max_line, max_lines, max_chars = limits["max_line_chars"], limits["max_output_lines"], limits["max_output_chars"]
    raw_lines = text.replace("\r\n", "\n").split("\n")
    newline_at_end = raw_lines[-1] == ""
    if newline_at_end:
        raw_lines.pop()
    lines = []
    for line in raw_lines:
        # A carriage return rewrites the line (progress bars): keep what was written last.
        line = next((part for part in reversed(line.split("\r")) if part), "")
        line = CONTROL.sub("", ANSI_ESCAPE.sub("", line))
        if len(line) > max_line:
            line = line[:max_line] + f" [... line cut: {len(line) - max_line} more characters]"
        lines.append(line)
    everything = "\n".join(lines)
    kept = "\n".join(lines[:max_lines])[:max_chars]
    cut = len(everything) - len(kept) + dropped
    if cut:
        return kept + f"\n[... output cut: {cut} more characters]\n"
    return kept + "\n" if newline_at_end else kept


def clean_text(text: str) -> str:
    """A string value made safe to quote: no control codes, lone surrogates escaped."""
    text = text.encode("utf-8", errors="backslashreplace").decode("utf-8")
    return CONTROL.sub("", ANSI_ESCAPE.sub("", text))
