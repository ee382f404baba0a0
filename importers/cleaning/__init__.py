"""Cleaning: small named rules applied in order; each logs what it changed (rule, before, after)."""
from __future__ import annotations

from importers.cleaning.debris import handle_encoding_debris
from importers.cleaning.furniture import drop_page_furniture
from importers.cleaning.junk import drop_junk_lines
from importers.cleaning.licence import drop_licence_footer
from importers.cleaning.metadata_lines import take_metadata_lines
from importers.cleaning.punctuation import normalise_punctuation
from importers.cleaning.ruby import drop_pinyin_ruby
from importers.cleaning.runin import split_run_in_headings
from importers.cleaning.titles import drop_repeated_titles, join_split_title
from importers.cleaning.whitespace import normalise_whitespace
from importers.cleaning.wrap import join_hard_wraps
from importers.document import Cleaning, Line

# Order matters: the site's metadata rows are read first, while spaces still separate their cells;
# lines must be trimmed before they are judged; word-list junk, ruby and debris gone before the report's span is found
# (page furniture outside it); furniture gone before titles are joined; punctuation full-width
# before sentences and headings are cut.
RULES = (
    take_metadata_lines,
    normalise_whitespace,
    drop_junk_lines,
    drop_licence_footer,
    drop_pinyin_ruby,
    handle_encoding_debris,
    drop_page_furniture,
    normalise_punctuation,
    join_split_title,
    drop_repeated_titles,
    join_hard_wraps,
    split_run_in_headings,
)


def clean(lines: list[Line]) -> tuple[list[Line], Cleaning]:
    c = Cleaning()
    for rule in RULES:
        lines = rule(lines, c)
    return lines, c
