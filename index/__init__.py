"""The search index: SQLite = paragraph store + change log (`index.store`); Whoosh = the jieba
word index for ranking and bare-word queries (`index.wordindex`); exact layer = every
paragraph's folded text in memory, for phrases (`index.snapshot`).

Reads `Report`s only (never raw files); derived and always rebuildable from the archive.
"""
from index.searcher import Hit, SearchIndex, SearchResult

__all__ = ["Hit", "SearchIndex", "SearchResult"]
