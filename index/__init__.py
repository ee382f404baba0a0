"""The search index: exact phrases from the folded text held in memory, jieba words in SQLite
FTS5 for ranking and bare-word queries, all stored in one SQLite file (`index.store`).

Reads `Report`s only (never raw files); derived and always rebuildable from the archive.
"""
from index.searcher import Hit, SearchIndex, SearchResult

__all__ = ["Hit", "SearchIndex", "SearchResult"]
