"""The search index: SQLite = paragraph store + change log (`index.store`); Whoosh = the jieba
word index for ranking (`index.wordindex`); exact layer = a memory-mapped suffix array and word
postings over the folded text (`index.exact`) plus the paragraphs written since, in memory
(`index.snapshot`). `SearchIndex` (`index.searcher`) is the interface callers use.

Reads `Report`s only (never raw files); derived and always rebuildable from the archive.
"""
from index.searcher import Hit, SearchIndex, SearchResult

__all__ = ["Hit", "SearchIndex", "SearchResult"]
