"""Two reports side by side as plain values (`archive compare`, `/api/compare`): the aligned
sections part by part (`analysis.alignment.align_reports`) and the sentences both share."""
from __future__ import annotations

from analysis.alignment import PLANS_TO_WORK, SAME_PARTS, align_reports, indexed_words, shared_sentences

MODES = {"parts": SAME_PARTS, "plans2work": PLANS_TO_WORK}


def compare_reports(archive, index, a_id: str, b_id: str, mode: str = "parts") -> dict:
    """A JSON-ready comparison of reports `a_id` and `b_id`: per part pair, rows of aligned
    sections (heading, paragraph ids and texts, score, basis), and the shared sentences' spans
    and each side's share. `mode`: "parts" (same part beside same part) or "plans2work" (A's
    plans beside B's work)."""
    a, b = archive.get(a_id), archive.get(b_id)
    parts = align_reports(a.paragraphs, b.paragraphs, MODES[mode],
                          words={**indexed_words(index, "a", a), **indexed_words(index, "b", b)})

    def body(side: str) -> list[tuple[str, str]]:
        return [(p.id, p.text) for part in parts for row in part.rows
                if getattr(row, side) for p in getattr(row, side).paragraphs]

    shared = shared_sentences(body("a"), body("b"))

    def section(s) -> dict | None:
        if s is None:
            return None
        return {"heading": s.heading.text if s.heading else None,
                "paragraphs": [{"id": p.id, "text": p.text} for p in s.paragraphs]}

    return {
        "a": _about(a), "b": _about(b), "mode": mode,
        "shared": {"sentences": shared.count, "share_a": round(shared.share_a, 4),
                   "share_b": round(shared.share_b, 4),
                   "spans_a": shared.spans_a, "spans_b": shared.spans_b},
        "parts": [{"part_a": part.part_a, "part_b": part.part_b,
                   "rows": [{"a": section(row.a), "b": section(row.b), "score": round(row.score, 3),
                             "basis": row.basis} for row in part.rows]} for part in parts],
    }


def _about(report) -> dict:
    return {"id": report.id, "title": report.title, "year": report.year,
            "town": report.place.town, "county": report.place.county}
