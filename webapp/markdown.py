"""Markdown for the exports (search results, the citation basket): report text is data, never
markup, and a citation reads as written — no backslash before its [R/OL] or in its permalink.

A quoted text has every markup character escaped (so no link, image, raw HTML or link
definition can come from a report). A citation is escaped only where markup could start:
its brackets stay (with every bracket of the text escaped no link definition exists, so
`[R/OL]` stays text), "](" is broken up so a title cannot become a link, and the permalink
after its last space is left as it is (`webapp.citation.iri` keeps it free of markup)."""
from __future__ import annotations

from webapp.citation import split_permalink

TEXT_MARKUP = "\\`*_[]<>#|!"
CITE_MARKUP = "\\`*<>|"


def escaped(text: str, markup: str = TEXT_MARKUP) -> str:
    for ch in markup:
        text = text.replace(ch, "\\" + ch)
    return text


def quoted_text(text: str) -> str:
    """A report's paragraph as literal Markdown text, on one line."""
    return escaped((text or "").replace("\n", " "))


def cited(line: str) -> str:
    """A citation line (`webapp.citation`) as Markdown that shows exactly those characters."""
    head, url = split_permalink(line)
    return escaped(head, CITE_MARKUP).replace("](", "]\\(") + " " + url
