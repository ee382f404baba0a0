"""The intermediate values between the readers and the finished `Report`."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from archive.model import LogEntry


@dataclass
class Line:
    """One line (paragraph) of text as a reader produced it.

    `hint` carries layout the reader knew about: "title", or "h1".."h9" for a styled heading
    (Word "Heading N" / "标题 N", HTML <h2>…). `simple` is filled in after script detection.
    """
    text: str
    hint: Optional[str] = None
    simple: str = ""


@dataclass
class RawDocument:
    """What a reader hands to the cleaner: lines in reading order plus what it learned about them."""
    lines: list[Line]
    format: str
    encoding: Optional[str] = None
    meta: dict[str, str] = field(default_factory=dict)  # labels of a metadata block: 文号, 成文日期…
    # Lines recognised from a scan, in reading order: (text, page, confidence); and what the
    # reader did that the report's log should show (a page OCR'd for a garbage text layer…).
    scanned: list[tuple[str, int, float]] = field(default_factory=list)
    log: list[LogEntry] = field(default_factory=list)


@dataclass
class Cleaning:
    """Collects what the cleaning rules change, so every change is visible in `Report.log`."""
    log: list[LogEntry] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)

    def record(self, rule: str, before: str, after: str) -> None:
        self.log.append(LogEntry(rule, before, after))

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)
