"""Numbers from the query string and forms, read the same strict way on every route.

Every route reads its numbers here (see `archive.numbers.parse_int`: ASCII digits with bounds),
so a crafted value (`page=²`, `year_from=①`, `limit=99999999999`) can never reach `int()`.
A malformed value is either dropped with a notice shown on the page (HTML pages, where the
rest of the request still makes sense) or refused with a 400 and one Chinese line
(`strict=True`: the JSON API and downloads, where a silent change would go unnoticed).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, has_request_context, request

from archive.numbers import parse_int
from archive.rules import YEAR_MAX, YEAR_MIN, parse_year

SHOWN_CHARS = 20  # of a bad value, in a message


def int_arg(name: str, default: int | None, lo: int, hi: int, *, label: str | None = None,
            strict: bool = False, source=None) -> int | None:
    """The number `name` of `source` (default `request.args`) in [lo, hi]; `default` when absent.
    Malformed → 400 if `strict`, else `default` and a notice on the page."""
    return _read(name, default, lambda raw: parse_int(raw, lo, hi), f"应为 {lo}–{hi} 之间的整数",
                 label, strict, source)


def year_arg(name: str, *, label: str | None = None, strict: bool = False,
             source=None) -> int | None:
    """A year as `archive.rules.parse_year` reads it ("2024", "2024年"); None when absent."""
    return _read(name, None, parse_year, f"应为 {YEAR_MIN}–{YEAR_MAX} 之间的年份，如 2024",
                 label, strict, source)


def _read(name, default, parse, expected, label, strict, source):
    raw = (source if source is not None else request.args).get(name)
    if raw is None or not str(raw).strip():
        return default
    value = parse(str(raw))
    if value is not None:
        return value
    problem = bad_value(label or f"参数 {name}", raw, expected)
    if strict:
        abort(400, description=problem + "。")
    if has_request_context():  # else there is no page to show the notice on
        flash(problem + "，已忽略。", "error")
    return default


def bad_value(what: str, raw: object, expected: str) -> str:
    """One line naming the bad value (shortened, control characters shown as �)."""
    shown = "".join(c if c.isprintable() else "\ufffd" for c in str(raw)[:SHOWN_CHARS])
    if len(str(raw)) > SHOWN_CHARS:
        shown += "…"
    return f"{what}“{shown}”无效：{expected}"


def same_site_path(target: str | None) -> str | None:
    """`target` when it is a path on this site, else None: a `next` parameter must never send
    the user to another host (//evil.example, https://…, /\\evil)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return None
