"""Exactness as a property: random substrings of the indexed text, searched as phrases, find
exactly the paragraphs a brute-force scan of the folded text finds — on the samples, and on a
few hundred documents of the laws corpus when it is present."""
import gzip
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from archive.model import Paragraph, Place, Report
from index import SearchIndex
from archive.folding import CJK_RE, fold
from index.query import QUOTES, STRAY_CLOSERS
from helpers import brute_force, crafted_report, keys, sample_reports, stored_lines

CORPUS = Path(__file__).resolve().parents[1] / "../shared/corpora/laws.jsonl.gz"
LAW_DOCUMENTS, LAW_PARAGRAPHS_EACH, LAW_QUERIES = 200, 40, 300


def quoted(text: str) -> str:
    """`text` as a quoted phrase; quote marks inside are punctuation, which folding drops anyway."""
    return '"' + "".join(c for c in text if c not in QUOTES and c not in STRAY_CLOSERS) + '"'


def check_phrase(index, reports, text):
    needle = fold(text)
    result = index.search(quoted(text), per_page=0)
    assert keys(result) == brute_force(reports, text), text
    for hit in result.hits:
        assert hit.exact
        assert all(needle in fold(hit.text[s:e]) for s, e in hit.highlights)
        assert all(needle in fold(hit.text_original[s:e]) for s, e in hit.highlights_original)
    if CJK_RE.fullmatch(needle[0]) and all(CJK_RE.match(c) for c in needle):
        unquoted = index.search(needle, per_page=0)  # an unquoted run: its exact hits first
        assert {(h.report_id, h.paragraph_id) for h in unquoted.hits if h.exact} == keys(result)


@pytest.fixture(scope="module")
def samples():
    reports = sample_reports() + [crafted_report()]
    return reports, [t for r in reports for _, t in stored_lines(r)] + [
        p.text_original for r in reports for p in r.paragraphs]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_sample_substrings_match_brute_force(sample_index, samples, data):
    reports, texts = samples
    text = data.draw(st.sampled_from([t for t in texts if t]))
    start = data.draw(st.integers(0, len(text) - 1))
    piece = text[start:start + data.draw(st.integers(1, 12))]
    if fold(piece):
        check_phrase(sample_index, reports, piece)


def law_reports() -> list[Report]:
    reports = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            lines = [x.strip() for x in d["text"].splitlines() if x.strip()]
            paragraphs = [Paragraph(f"第{n}段", "text", 0, "work", [], x, x)
                          for n, x in enumerate(lines[:LAW_PARAGRAPHS_EACH], 1)]
            reports.append(Report(id=f"law-{d['id']}", title=d["title"],
                                  place=Place(town=d.get("place") or None), year=d.get("year"),
                                  paragraphs=paragraphs))
            if len(reports) == LAW_DOCUMENTS:
                break
    return reports


@pytest.mark.corpus
def test_random_law_substrings_match_brute_force(tmp_path):
    if not CORPUS.exists():
        pytest.skip(f"corpus not present: {CORPUS}")
    reports = law_reports()
    index = SearchIndex(tmp_path / "index")
    index.rebuild(reports)
    rng = random.Random(20240601)
    texts = [t for r in reports for _, t in stored_lines(r)]
    for _ in range(LAW_QUERIES):
        text = rng.choice(texts)
        start = rng.randrange(len(text))
        piece = text[start:start + rng.randint(1, 12)]
        if fold(piece):
            check_phrase(index, reports, piece)
