"""`SearchIndex.search(kind=...)`: body paragraphs, headings or titles only, in the exact base,
in the delta written after it, and with a base written before its docs recorded headings and
titles — checked against a brute-force scan of the reports."""
from __future__ import annotations

from dataclasses import replace

import pytest

from archive.folding import fold
from helpers import crafted_report, keys, sample_reports
from index.documents import TITLE_ID

PHRASE = "法治"


def expected(reports, kind):
    if kind == "title":
        return {(r.id, TITLE_ID) for r in reports
                if r.title and not r.title_derived and fold(PHRASE) in fold(r.title)}
    return {(r.id, p.id) for r in reports for p in r.paragraphs
            if p.kind == kind and fold(PHRASE) in fold(p.text)}


def found(index, kind):
    return keys(index.search(f'"{PHRASE}"', kind=kind, per_page=0))


@pytest.mark.parametrize("kind", ["text", "heading"])
def test_kind_in_the_base_and_after_an_update(fresh_index, kind):
    reports = sample_reports() + [crafted_report()]
    assert fresh_index.snapshot().base is not None           # a rebuild writes the base
    assert found(fresh_index, kind) == expected(reports, kind) != set()
    # A report rewritten after the base: its new paragraphs come from the delta.
    target = next(r for r in reports if any(p.kind == "heading" for p in r.paragraphs))
    heading = next(p for p in target.paragraphs if p.kind == "heading" and PHRASE not in p.text)
    changed = replace(target, paragraphs=[
        replace(p, text=p.text + PHRASE, text_original=p.text_original + PHRASE) if p is heading else p
        for p in target.paragraphs])
    fresh_index.update(changed)
    reports = [changed if r.id == target.id else r for r in reports]
    assert found(fresh_index, kind) == expected(reports, kind)
    assert (kind == "heading") == ((target.id, heading.id) in found(fresh_index, kind))


def test_a_base_without_heading_flags_reads_them_from_sqlite(fresh_index):
    index = fresh_index
    index.snapshot().base.kinds = {}                         # as a base written before the fields
    reports = sample_reports() + [crafted_report()]
    for kind in ("text", "heading", "title"):
        assert found(index, kind) == expected(reports, kind) != set()


def test_the_kind_filter_partitions_every_hit(sample_index):
    every = keys(sample_index.search(f'"{PHRASE}"', per_page=0))
    text, heading, title = (found(sample_index, k) for k in ("text", "heading", "title"))
    assert text | heading | title == every
    assert not text & heading and not text & title and not heading & title and title
