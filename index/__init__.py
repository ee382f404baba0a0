"""The search index: Whoosh, a jieba word field and an exact character-bigram layer.

Reads `Report`s only (never raw files); derived and always rebuildable from the archive.
"""
from index.searcher import Hit, SearchIndex, SearchResult

__all__ = ["Hit", "SearchIndex", "SearchResult"]
