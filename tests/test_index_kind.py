"""`SearchIndex.search(kind=...)`: body paragraphs or headings only, in the exact base, in the
delta written after it, and with a base written before its docs recorded headings — checked
against a brute-force scan of the reports."""
from __future__ import annotations

from dataclasses import replace

import pytest

from archive.folding import fold
from helpers import crafted_report, keys, sample_reports

PHRASE = "法治"


def expected(reports, kind):
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
    index.snapshot().base.headings = None                    # as a base written before the field
    reports = sample_reports() + [crafted_report()]
    assert found(index, "text") == expected(reports, "text")
    assert found(index, "heading") == expected(reports, "heading")


def test_the_kind_filter_partitions_every_hit(sample_index):
    every = keys(sample_index.search(f'"{PHRASE}"', per_page=0))
    assert found(sample_index, "text") | found(sample_index, "heading") == every
    assert not found(sample_index, "text") & found(sample_index, "heading")
