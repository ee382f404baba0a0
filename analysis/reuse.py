"""Text reuse (查重): how much of a report's body is found, word for word, in earlier reports,
and where.

Every window of WIDTH folded characters of each body paragraph is looked up in the index
(`index.passages.window_hits`, a whole report at once: the exact layer's suffix array, and a
hash table of the paragraphs written since); a shared passage is a run of consecutive windows found at
consecutive places of one earlier paragraph, so every passage is at least WIDTH characters and
is linked to its sources (the same town's earlier years first, then other towns).

Boilerplate: a window found in at least BOILERPLATE_SHARE of the archive's reports (and at
least BOILERPLATE_MIN of them) is a standard phrase (slogans, the names of policies), counted
apart and shown as such, not as copying.

No pairwise scan of reports: the cost is one lookup per character of the report (two binary
searches, run side by side as array operations), whatever the archive's size.
"""
from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Optional

import numpy as np

from analysis.summaries import rows
from archive.folding import fold_with_offsets, spans_to_original
from index.passages import paragraph_rows, window_hits

WIDTH = 20                 # characters: the shortest passage counted as shared
BOILERPLATE_SHARE = 0.25   # of all reports: a window this common is a standard phrase
BOILERPLATE_MIN = 5        # reports, however small the archive
LISTED = 5000              # occurrences of one window listed at most (beyond: boilerplate)
SOURCES_SHOWN = 5          # sources listed per passage


@dataclass(frozen=True)
class Source:
    """An earlier paragraph holding (part of) a passage: where, and the span it covers there."""
    report_id: str
    paragraph_id: str
    title: str
    town: str
    county: str
    year: Optional[int]
    same_town: bool
    chars: int                       # characters of the passage found there
    start: int = 0                   # the span in that paragraph's text
    end: int = 0


@dataclass
class Passage:
    """A span of one body paragraph of the report (original character offsets)."""
    paragraph_id: str
    start: int
    end: int
    text: str
    chars: int                       # folded characters (punctuation and spaces not counted)
    boilerplate: bool = False
    reports: int = 0                 # other reports holding it (boilerplate: how common)
    sources: list[Source] = field(default_factory=list)
    more_sources: int = 0            # sources beyond those listed


@dataclass
class SourceReport:
    report_id: str
    title: str
    town: str
    county: str
    year: Optional[int]
    same_town: bool
    chars: int                       # characters of the report found in this one


@dataclass
class Reuse:
    report_id: str
    body_chars: int
    shared_chars: int
    boilerplate_chars: int
    passages: list[Passage]
    sources: list[SourceReport]
    earlier_only: bool = True

    @property
    def share(self) -> float:
        """The share of the body (boilerplate excepted) found in earlier reports."""
        return self.shared_chars / self.body_chars if self.body_chars else 0.0

    @property
    def boilerplate_share(self) -> float:
        return self.boilerplate_chars / self.body_chars if self.body_chars else 0.0

    def to_dict(self) -> dict:
        return {"report_id": self.report_id, "body_chars": self.body_chars,
                "shared_chars": self.shared_chars, "share": round(self.share, 4),
                "boilerplate_chars": self.boilerplate_chars,
                "boilerplate_share": round(self.boilerplate_share, 4),
                "earlier_only": self.earlier_only, "width": WIDTH,
                "sources": [asdict(s) for s in self.sources],
                "passages": [asdict(p) for p in self.passages]}


_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def report_reuse(archive, index, report_id: str, earlier_only: bool = True) -> Reuse:
    """The reuse of one report, kept per index snapshot. `earlier_only`: sources are reports of
    earlier years (of any year but the report's own when it gives none)."""
    snapshot = index.snapshot()
    key = (report_id, earlier_only, archive.generation())
    with _lock:
        held = _cache.setdefault(snapshot, {})
        if key in held:
            return held[key]
    found = _reuse(archive, snapshot, report_id, earlier_only)
    with _lock:
        if len(held) > 512:
            held.clear()
        held[key] = found
    return found


def _reuse(archive, snapshot, report_id: str, earlier_only: bool) -> Reuse:
    report = archive.get(report_id)
    meta = {r["id"]: r for r in rows(archive)}
    ids = snapshot.reports.ids
    threshold = max(BOILERPLATE_MIN, BOILERPLATE_SHARE * max(1, len(meta) - 1))
    here = meta.get(report.id) or {"id": report.id, "year": report.year, "town": report.place.town}
    eligible = np.array([rid != report.id and _earlier(meta.get(rid), here, earlier_only)
                         for rid in ids] + [False], dtype=bool)   # the last: ordinal -1, none
    me = snapshot.reports.ordinal.get(report.id, -2)
    body = shared = boiler = 0
    found: list[tuple] = []
    totals: dict[int, int] = defaultdict(int)     # report ordinal → characters found there
    paragraphs = [p for p in report.paragraphs if p.kind == "text" and p.text.strip()]
    folds = [fold_with_offsets(p.text) for p in paragraphs]
    looked_up = window_hits(snapshot, [f for f, _ in folds], WIDTH, LISTED)
    for p, (folded, offsets), hits in zip(paragraphs, folds, looked_up):
        body += len(folded)
        if not len(hits.count):
            continue
        mine = hits.report == me
        own = np.bincount(hits.at[mine], minlength=len(hits.count))
        at, pid, offset, rep = hits.at[~mine], hits.pid[~mine], hits.offset[~mine], hits.report[~mine]
        # the other reports holding each window (a report holding it twice counts once)
        reports_per = np.bincount(np.unique(at * (len(ids) + 1) + rep) // (len(ids) + 1),
                                  minlength=len(hits.count))
        common = (reports_per >= threshold) | (hits.count - own > LISTED)
        boiler_mask = _cover(np.flatnonzero(common & (hits.count > own)), len(folded))
        ok = eligible[rep] & ~common[at]
        shared_mask = _cover(np.unique(at[ok]), len(folded)) & ~boiler_mask
        boiler += int(boiler_mask.sum())
        shared += int(shared_mask.sum())
        runs = _runs(at[ok], pid[ok], offset[ok], rep[ok])
        for r, mask in _report_masks(runs, len(folded)).items():
            totals[r] += int((mask & ~boiler_mask).sum())
        found.append((p, folded, offsets, shared_mask, boiler_mask, reports_per, runs))
    passages: list[Passage] = []
    candidates: list[tuple[Passage, list]] = []
    for p, folded, offsets, shared_mask, boiler_mask, reports_per, runs in found:
        passages += _boiler_passages(p, offsets, boiler_mask, reports_per)
        candidates += _shared_passages(p, offsets, shared_mask, runs, ids, meta, here)
    texts = paragraph_rows(snapshot, {c[0] for _, ranked in candidates for c in ranked})
    folded_sources: dict = {}
    for passage, ranked in candidates:
        passage.sources = _sources(ranked, texts, meta, here, folded_sources)
        passages.append(passage)
    order = {p.id: k for k, p in enumerate(report.paragraphs)}
    passages.sort(key=lambda x: (order[x.paragraph_id], x.start))
    sources = sorted((_source_report(meta.get(ids[r]), ids[r], chars, here)
                      for r, chars in totals.items() if chars),
                     key=lambda s: (-s.chars, not s.same_town, s.report_id))
    return Reuse(report.id, body, shared, boiler, passages, sources, earlier_only)


def _earlier(row: Optional[dict], here: dict, earlier_only: bool) -> bool:
    """Whether a report may be a source: of an earlier year (with `earlier_only`; any other
    report when this one gives no year)."""
    if row is None:
        return False
    if not earlier_only or not here.get("year"):
        return True
    return bool(row["year"]) and row["year"] < here["year"]


def _cover(starts: np.ndarray, length: int) -> np.ndarray:
    """The characters covered by windows starting at `starts` (a boolean mask)."""
    marks = np.zeros(length + 1, dtype=np.int64)
    np.add.at(marks, starts, 1)
    np.add.at(marks, np.minimum(starts + WIDTH, length), -1)
    return np.cumsum(marks)[:length] > 0


def _runs(at, pid, offset, rep) -> list[tuple[int, int, int, int, int]]:
    """Consecutive windows found at consecutive places of one paragraph: (pid, report ordinal,
    start in that paragraph's folded text, start and end in this paragraph's)."""
    if not len(at):
        return []
    diag = offset - at
    order = np.lexsort((at, diag, pid))
    at, pid, diag, rep = at[order], pid[order], diag[order], rep[order]
    breaks = np.flatnonzero((pid[1:] != pid[:-1]) | (diag[1:] != diag[:-1]) | (at[1:] != at[:-1] + 1)) + 1
    firsts = np.concatenate(([0], breaks))
    lasts = np.concatenate((breaks - 1, [len(at) - 1]))
    return [(int(pid[a]), int(rep[a]), int(at[a] + diag[a]), int(at[a]), int(at[b]) + WIDTH)
            for a, b in zip(firsts, lasts)]


def _report_masks(runs, length: int) -> dict[int, np.ndarray]:
    masks: dict[int, np.ndarray] = {}
    for _, r, _, start, end in runs:
        masks.setdefault(r, np.zeros(length, dtype=bool))[start:end] = True
    return masks


def _spans(mask: np.ndarray) -> list[tuple[int, int]]:
    """The [start, end) runs of True in `mask`."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def _original(p, offsets: list[int], start: int, end: int) -> tuple[int, int]:
    return spans_to_original([(start, end)], offsets)[0]


def _boiler_passages(p, offsets, mask, reports_per) -> list[Passage]:
    out = []
    for start, end in _spans(mask):
        a, b = _original(p, offsets, start, end)
        common = int(reports_per[max(0, start):max(start + 1, end - WIDTH + 1)].max())
        out.append(Passage(p.id, a, b, p.text[a:b], end - start, boilerplate=True, reports=common))
    return out


def _shared_passages(p, offsets, mask, runs, ids, meta, here) -> list[tuple[Passage, list]]:
    """The shared spans of one paragraph, each with its candidate sources, best first:
    (pid, report id, characters, start, end in the source's folded text)."""
    out = []
    for start, end in _spans(mask):
        best: dict[int, tuple] = {}     # pid → (chars, start, end, report ordinal)
        for pid, rep, s_start, r_start, r_end in runs:
            overlap = min(end, r_end) - max(start, r_start)
            if overlap > 0 and overlap > best.get(pid, (0,))[0]:
                lead = max(start, r_start) - r_start
                best[pid] = (overlap, s_start + lead, s_start + lead + overlap, rep)
        ranked = sorted(((pid, ids[rep], chars, a, b) for pid, (chars, a, b, rep) in best.items()),
                        key=lambda c: (not _same_town(meta.get(c[1]) or {}, here), -c[2],
                                       -((meta.get(c[1]) or {}).get("year") or 0), c[1], c[0]))
        a, b = _original(p, offsets, start, end)
        out.append((Passage(p.id, a, b, p.text[a:b], end - start, reports=len({c[1] for c in ranked}),
                            more_sources=max(0, len(ranked) - SOURCES_SHOWN)), ranked[:SOURCES_SHOWN]))
    return out


def _sources(ranked, texts, meta, here, folded_sources: dict) -> list[Source]:
    """The listed sources of a passage, their spans in the original text of the source
    (`folded_sources`: pid → folded with offsets, kept for the whole report)."""
    out = []
    for pid, rid, chars, s_start, s_end in ranked:
        row = texts.get(pid)
        if row is None:
            continue
        _, par, text = row
        if pid not in folded_sources:
            folded_sources[pid] = fold_with_offsets(text)
        folded, offsets_there = folded_sources[pid]
        a, b = (spans_to_original([(s_start, s_end)], offsets_there)[0]
                if s_end <= len(folded) else (0, len(text)))
        m = meta.get(rid) or {}
        out.append(Source(rid, par, m.get("title") or "", m.get("town") or "", m.get("county") or "",
                          m.get("year"), _same_town(m, here), chars, a, b))
    return out


def _same_town(row: dict, here: dict) -> bool:
    return bool(row.get("town")) and row.get("town") == here.get("town") and \
        (row.get("county") or "") == (here.get("county") or "")


def _source_report(row: Optional[dict], rid: str, chars: int, here: dict) -> SourceReport:
    row = row or {}
    return SourceReport(rid, row.get("title") or "", row.get("town") or "", row.get("county") or "",
                        row.get("year"), _same_town(row, here), chars)


def cached_reuse(index, report_id: str, earlier_only: bool = True) -> Optional[Reuse]:
    """The reuse of a report if it was computed for the current snapshot and catalogue, else
    None (a page that must stay fast shows it only when known)."""
    with _lock:
        held = _cache.get(index.snapshot(), {})
        return next((v for (rid, early, _), v in held.items()
                     if rid == report_id and early == earlier_only), None)


@dataclass
class TownReuse:
    """One row of the county view: text of `source_town`'s reports found in `town`'s later ones."""
    county: str
    town: str
    source_county: str
    source_town: str
    chars: int                 # characters of `town`'s reports found in `source_town`'s (per
                               # report, the source town's report holding most)
    body_chars: int            # body characters of the `town` reports concerned
    pairs: list[tuple[str, str, int]] = field(default_factory=list)  # (report, source, chars)

    @property
    def same_town(self) -> bool:
        return (self.county, self.town) == (self.source_county, self.source_town)

    @property
    def share(self) -> float:
        return self.chars / self.body_chars if self.body_chars else 0.0

    def to_dict(self) -> dict:
        return {**asdict(self), "same_town": self.same_town, "share": round(self.share, 4)}


def county_reuse(archive, index, county: str) -> list[TownReuse]:
    """Which towns of `county` reuse whose text (earlier reports anywhere in the archive):
    one row per (town, source town), most characters first."""
    found: dict[tuple, TownReuse] = {}
    for r in rows(archive):
        if r["county"] != county or not r["town"] or not r["year"]:
            continue
        reuse = report_reuse(archive, index, r["id"])
        best: dict[tuple, SourceReport] = {}     # per source town: its report holding most
        for s in reuse.sources:
            held = best.get((s.county, s.town))
            if held is None or s.chars > held.chars:
                best[(s.county, s.town)] = s
        for (source_county, source_town), s in best.items():
            key = (r["county"] or "", r["town"], source_county, source_town)
            row = found.setdefault(key, TownReuse(*key, 0, 0))
            row.chars += s.chars
            row.body_chars += reuse.body_chars
            row.pairs.append((r["id"], s.report_id, s.chars))
    return sorted(found.values(), key=lambda x: (-x.chars, x.town, x.source_town))


def pair_reuse(archive, index, a_id: str, b_id: str) -> dict[str, dict]:
    """For the compare page: each side's body characters found word for word (runs of WIDTH
    characters or more, boilerplate apart) in the other, whatever their years."""
    out = {}
    for side, me, other in (("a", a_id, b_id), ("b", b_id, a_id)):
        reuse = report_reuse(archive, index, me, earlier_only=False)
        chars = next((s.chars for s in reuse.sources if s.report_id == other), 0)
        out[side] = {"chars": chars, "body_chars": reuse.body_chars,
                     "share": chars / reuse.body_chars if reuse.body_chars else 0.0,
                     "passages": sum(1 for p in reuse.passages
                                     if any(s.report_id == other for s in p.sources))}
    return out
