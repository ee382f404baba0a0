"""What the index holds of a report: its title, as one more paragraph, then its paragraphs.

The title lives in the report's front matter, not among its paragraphs, yet its words are the
report's words: a phrase in it must be found (issue 14). It is indexed as a paragraph of kind
"title" with the id `TITLE_ID` in the intro (导语) part it stands above, so it is one hit,
counted once in the totals, the facets and the trend. The title is stored simplified, so its
text as written is that too. A title the system derived (`title_derived`) is not the report's
text and is left out.
"""
from __future__ import annotations

from archive.model import Paragraph, Report

TITLE_ID = "标题"  # never a sectioner id: those are markers joined by "." (`importers.sections`)


def indexed_paragraphs(report: Report) -> list[Paragraph]:
    """The report's title paragraph (when it has a title of its own), then its paragraphs."""
    if not report.title or report.title_derived:
        return report.paragraphs
    title = Paragraph(TITLE_ID, "title", 0, "intro", [], report.title, report.title)
    return [title, *report.paragraphs]
