"""Whole numbers typed by people (URL parameters, command-line options), read strictly.

`str.isdigit()` and `int()` accept much more than digits a person means: ², ①, ٣, 𝟙, "1_000",
" +7 ". A string passing `isdigit()` can then fail `int()` (a 500 on a crafted URL) or become
an unintended number. Here a number is 1–9 ASCII digits and nothing else; full-width ０–９, which
a Chinese input method types, count as their ASCII twins. One reader for the web app and the CLI.
"""
from __future__ import annotations

import argparse
import re

_DIGITS = re.compile(r"[0-9]{1,9}")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def ascii_digits(text: str) -> str:
    """`text` with full-width digits made ASCII; every other character unchanged."""
    return text.translate(_FULL_WIDTH)


def parse_int(text: object, lo: int, hi: int) -> int | None:
    """`text` as an int in [lo, hi]; None if it is not 1–9 (ASCII or full-width) digits or out of
    bounds. Spaces around the digits are ignored."""
    if not isinstance(text, str):
        return None
    text = ascii_digits(text.strip(" \t\u3000"))
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if lo <= number <= hi else None


def cli_int(lo: int, hi: int):
    """An argparse `type=` that accepts only what `parse_int` does, with a Chinese usage error."""
    def parse(text: str) -> int:
        number = parse_int(text, lo, hi)
        if number is None:
            raise argparse.ArgumentTypeError(f"应为 {lo}–{hi} 之间的整数，而不是 {text!r}")
        return number
    parse.__name__ = "整数"  # argparse names the type in its messages
    return parse
