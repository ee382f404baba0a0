"""Report metadata from the cleaned lines: where title, addressee, 文号 and signature sit
(`find_frame`), and every field with its provenance (`fill`). Values are simplified script."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from archive.model import Provenance, Report, derived_title
from archive.rules import DEFAULT_GENRE, LEVEL_LABELS, government_name, reporting_place
from importers.dates import DELIVERY_RE, known_year, parse_date
from importers.document import Line
from importers.cleaning.furniture import HEADER_KEY
from importers.genre import classify, doubt_note
from importers.places import Texts, find_places
from importers.script import to_simplified
from importers.shapes import (DATE_RE, DOCNUM_RE, head_end, is_addressee, is_date_line, is_doc_number,
                              is_issuer_line, looks_like_title)

_MAX_CLOSING = 4        # signature + date lines
_SEARCH_FROM_END = 8    # the signature sits within the last lines
_MAX_ISSUING = 2        # a party committee and a government issue a report together
# Body text read for place names and years: a town report is 3,000–20,000 characters; a long
# document's later pages add only mentions of other places (and cost import time).
_PLACE_SCAN_CHARS = 30_000
LEVEL_DOUBT_BELOW = 0.7
_DELIVERY_LINES = 12      # a work report's ——…在XX市第N届人民代表大会…会议上 sits under its title   # the reviewer is asked below this (flag level_doubt)


@dataclass
class Frame:
    """Line indexes of the parts of a report that are metadata or signature, not body text."""
    title: Optional[int] = None
    addressee: Optional[int] = None
    doc_number: Optional[int] = None
    closing_start: int = 0   # lines from here on are the signature and date
    issuing: tuple[int, ...] = ()  # the issuing bodies' lines next to the title (中共某镇委员会 / 某镇人民政府)

    def metadata_lines(self) -> set[int]:
        return {i for i in (self.title, self.addressee, self.doc_number, *self.issuing) if i is not None}


def _signature_line(text: str) -> bool:
    if is_date_line(text) or is_issuer_line(text):
        return True
    m = DATE_RE.search(text)  # "覃斗镇人民政府2020年4月13日" on one line
    return bool(m) and m.end() == len(text) and is_issuer_line(text[:m.start()].strip())


def find_frame(lines: list[Line]) -> Frame:
    texts = [x.simple for x in lines]
    frame = Frame(closing_start=len(texts))
    head = head_end(texts)
    for i, t in enumerate(texts[:head + 1]):
        if frame.title is None and i < head and (lines[i].hint == "title" or looks_like_title(t)):
            frame.title = i
        elif frame.addressee is None and is_addressee(t):
            frame.addressee = i
        elif frame.doc_number is None and i < head and is_doc_number(t):
            frame.doc_number = i
    if frame.title is not None:
        k = frame.title
        while k > 0 and frame.title - k < _MAX_ISSUING and is_issuer_line(texts[k - 1]):
            k -= 1
        j = frame.title + 1  # or below it, where a repeated 关于… title above them was dropped
        while j < head and j - frame.title <= _MAX_ISSUING and is_issuer_line(texts[j]):
            j += 1
        frame.issuing = (*range(k, frame.title), *range(frame.title + 1, j))
    frame.closing_start = _closing_start(texts, max(frame.metadata_lines(), default=-1) + 1)
    return frame


def _closing_start(texts: list[str], first_body: int) -> int:
    """Where the signature block starts: the last run of signature/date lines near the end.
    Anything after it (an attachment, a table) stays in the closing part."""
    n = len(texts)
    for end in range(n, max(first_body, n - _SEARCH_FROM_END), -1):
        if _signature_line(texts[end - 1]):
            i = end - 1
            while i - 1 > first_body and end - (i - 1) <= _MAX_CLOSING and _signature_line(texts[i - 1]):
                i -= 1
            return i
    return n


def fill(report: Report, lines: list[Line], frame: Frame, site_meta: dict[str, str],
         intro: list[str], body: list[str]) -> None:
    """Set title, place, year, issued, addressee, issuer, doc_number, their provenance and flags."""
    prov = report.provenance
    closing = [x.simple for x in lines[frame.closing_start:]]

    if frame.title is not None:
        report.title = re.sub(r"\s+", "", lines[frame.title].simple)
        prov["title"] = Provenance("title", 0.95)
    elif 6 <= len(site_meta.get("名称", "")) <= 90:  # the page's table names the document
        report.title = re.sub(r"\s+", "", to_simplified(site_meta["名称"]))
        prov["title"] = Provenance("metadata", 0.8)
    if frame.addressee is not None:
        report.addressee = lines[frame.addressee].simple.rstrip("：:")
        prov["addressee"] = Provenance("body", 0.9)

    issuers = [DATE_RE.sub("", t).strip() for t in closing if not is_date_line(t) and _signature_line(t)]
    if issuers:
        report.issuer, prov["issuer"] = issuers[-1], Provenance("signature", 0.9)
    elif site_meta.get("发布机构"):
        report.issuer, prov["issuer"] = site_meta["发布机构"], Provenance("metadata", 0.8)

    dates = [d for d in (parse_date(t) for t in closing) if d]
    if dates:
        report.issued, prov["issued"] = dates[-1], Provenance("signature", 0.95)
    else:
        for key, conf in (("成文日期", 0.85), ("发布日期", 0.6)):
            d = parse_date(site_meta.get(key, ""))
            if d:
                report.issued, prov["issued"] = d, Provenance("metadata", conf)
                break

    number = site_meta.get("文号")
    if number and DOCNUM_RE.search(number):
        report.doc_number, prov["doc_number"] = _doc_number(number), Provenance("metadata", 0.9)
    elif frame.doc_number is not None:
        report.doc_number = _doc_number(lines[frame.doc_number].simple)
        prov["doc_number"] = Provenance("body", 0.9)

    _fill_place(report, lines, frame, site_meta, intro, body, signed=issuers[-1] if issuers else None)
    start = "\n".join(intro)[:300]
    genre = classify(report.title, report.title is None, start)
    report.genre, prov["genre"], report.evidence["genre"] = genre.code, Provenance(
        "title" if report.title and genre.evidence.startswith("标题") else "body", genre.confidence), genre.evidence
    # a genre in doubt is dated like the archive's own reports (the year covered)
    _fill_year(report, genre.code if doubt_note(genre) is None else DEFAULT_GENRE, intro,
               _first_chars(body, _PLACE_SCAN_CHARS))

    government = government_name(reporting_place(report), report.level)
    if report.issuer is None and government:   # citations name it as the author
        report.issuer, prov["issuer"] = government, Provenance("derived", 0.7)

    if report.title is None:
        report.title = derived_title(reporting_place(report), report.year)
        report.title_derived = True
        prov["title"] = Provenance("derived", 0.5)
        report.flags.append("title_derived")
    doubt = doubt_note(genre)
    if doubt:
        _flag(report, "genre_doubt", doubt)
    if report.place.town is None and report.level in (None, "town"):
        report.flags.append("town_missing")
    if report.year is None:
        report.flags.append("year_missing")


def _fill_year(report: Report, genre: str, intro: list[str], body: list[str]) -> None:
    """The year a report is known by, which rule decided it, and both years where they differ
    (`importers.dates.known_year`)."""
    known = known_year(genre, report.title, intro, body, report.issued)
    if known is None:
        return
    report.year, report.years = known.year, known.years
    report.provenance["year"] = Provenance(known.source, known.confidence)
    report.evidence["year"] = known.rule


def _fill_place(report: Report, lines: list[Line], frame: Frame, site_meta: dict[str, str],
                intro: list[str], body: list[str], signed: Optional[str]) -> None:
    """Place fields and level from the gazetteer names the text states (importers.places)."""
    head_lines = lines[:head_end([x.simple for x in lines]) + 2]
    texts = Texts(
        title=report.title, signature=signed, addressee=report.addressee, doc_number=report.doc_number,
        head=[x.simple for i, x in enumerate(head_lines) if i != frame.title and is_issuer_line(x.simple)]
        + [x.simple for x in lines[:_DELIVERY_LINES] if DELIVERY_RE.search(x.simple)],
        metadata=[to_simplified(site_meta[k]) for k in ("发布机构", "来源") if site_meta.get(k)],
        header=to_simplified(site_meta.get(HEADER_KEY, "")).splitlines(),
        intro=intro[:2], body=_first_chars(intro[2:] + body, _PLACE_SCAN_CHARS))
    found = find_places(texts)
    for name, (value, p) in found.fields.items():
        setattr(report.place, name, value)
        report.provenance[name] = p
    report.level = found.level
    if found.level:
        source = {"标题": "title", "落款": "signature", "网页": "metadata"}.get(found.level_evidence[:2], "body")
        report.provenance["level"] = Provenance(source, found.level_confidence)
        report.evidence["level"] = found.level_evidence
    if found.level_confidence < LEVEL_DOUBT_BELOW:
        _flag(report, "level_doubt", f"层级判为“{LEVEL_LABELS.get(found.level, '未知')}”，把握不大"
                                     f"（{found.level_evidence or '标题、落款和开头都没有写明'}），请核对")
    if found.candidates:
        report.place_candidates = found.candidates
        listed = "；".join("".join(c.get(k, "") for k in ("province", "city", "county"))
                          for c in found.candidates[:6])
        _flag(report, "place_ambiguous", f"{report.place.town or report.place.county} 有 "
                                         f"{len(found.candidates)} 处同名（{listed}），请指定所属县区")


def _first_chars(texts: list[str], limit: int) -> list[str]:
    """The leading paragraphs of `texts` that fit in `limit` characters."""
    out, size = [], 0
    for t in texts:
        size += len(t)
        if size > limit:
            break
        out.append(t)
    return out


def _flag(report: Report, flag: str, note: str) -> None:
    report.flags.append(flag)
    report.flag_notes[flag] = note


def _doc_number(text: str) -> str:
    m = DOCNUM_RE.search(text)
    prefix = m.group(0).split(m.group(1))[0].rstrip("〔[［【(（ ")
    return f"{prefix}〔{m.group(1)}〕{m.group(2)}号"
