"""The Whoosh schema: one document per paragraph (headings included), and how a Report becomes
those documents. The index reads only `Report`s."""
from __future__ import annotations

from typing import Iterator

from whoosh.fields import ID, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence

from archive.model import Report
from index.analysis import BigramTokenizer, WordTokenizer


def make_schema() -> Schema:
    return Schema(
        report_id=ID(stored=True),          # delete_by_term target when a report is replaced
        paragraph_id=STORED(),
        order=STORED(),                     # position of the paragraph in its report
        kind=STORED(),
        part=STORED(),
        heading_path=STORED(),
        title=STORED(),
        town=STORED(), county=STORED(), city=STORED(), province=STORED(),
        year=STORED(),
        text=STORED(),
        text_original=STORED(),             # only when it differs from `text` (traditional reports)
        # Ranking and bare words: jieba words, positions 0,1,2…
        words=TEXT(analyzer=WordTokenizer(), phrase=True),
        # Exact layer: candidates for phrases, verified against the folded text, so neither
        # positions nor frequencies are stored. Scorable only because Whoosh otherwise stats a
        # file for every posting it writes (measured: 10% more CPU).
        bigrams=FieldType(Existence(), analyzer=BigramTokenizer(), scorable=True),
    )


SCHEMA = make_schema()


def report_documents(report: Report) -> Iterator[dict]:
    """The Whoosh documents of a report, in paragraph order."""
    place = report.place
    common = dict(
        report_id=report.id, title=report.title or "", town=place.town or "",
        county=place.county or "", city=place.city or "", province=place.province or "",
        year=report.year,
    )
    for order, p in enumerate(report.paragraphs):
        doc = dict(common, paragraph_id=p.id, order=order, kind=p.kind, part=p.part,
                   heading_path=list(p.heading_path), text=p.text, words=p.text, bigrams=p.text)
        if p.text_original and p.text_original != p.text:
            doc["text_original"] = p.text_original
        yield doc
