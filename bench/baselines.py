"""The three systems our index is compared with, all built from the same paragraph rows:

- `BruteForce` — a substring scan of the folded paragraphs in memory: the recall oracle.
- `Fts5Trigram` — SQLite FTS5 with the trigram tokenizer (cannot match phrases under 3 chars).
- `JiebaWhoosh` — jieba's bundled Whoosh `ChineseAnalyzer`, whose token positions are character
  offsets, so Whoosh phrase queries miss (the failure the design notes record).

Each answers `count(phrase)` (how many paragraphs match) and `top(phrase)` (the total plus the
first 20 hits, what a results page needs).
"""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from bench.corpus import Row

TOP = 20


class BruteForce:
    def __init__(self, rows: list[Row]):
        self.texts = [r.text for r in rows]

    def matches(self, phrase: str) -> list[int]:
        return [i for i, t in enumerate(self.texts) if phrase in t]

    def count(self, phrase: str) -> int:
        return sum(phrase in t for t in self.texts)

    def top(self, phrase: str) -> tuple[int, list[int]]:
        hits = self.matches(phrase)
        return len(hits), hits[:TOP]


def trigram_available() -> bool:
    try:
        sqlite3.connect(":memory:").execute(
            "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
        return True
    except sqlite3.OperationalError:
        return False


class Fts5Trigram:
    """Paragraph texts in an FTS5 trigram table; rowid = position in the rows list + 1."""

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path)

    @classmethod
    def build(cls, path: Path, rows: list[Row]) -> "Fts5Trigram":
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        db.execute("CREATE VIRTUAL TABLE p USING fts5(text, tokenize='trigram')")
        db.executemany("INSERT INTO p(rowid, text) VALUES (?, ?)",
                       ((i + 1, r.text) for i, r in enumerate(rows)))
        db.execute("INSERT INTO p(p) VALUES ('optimize')")
        db.commit()
        db.close()
        return cls(path)

    @staticmethod
    def _match(phrase: str) -> str:
        return '"' + phrase.replace('"', '""') + '"'

    def count(self, phrase: str) -> int:
        return self.db.execute("SELECT count(*) FROM p WHERE p MATCH ?",
                               (self._match(phrase),)).fetchone()[0]

    def matches(self, phrase: str) -> list[int]:
        return [rowid - 1 for (rowid,) in self.db.execute(
            "SELECT rowid FROM p WHERE p MATCH ?", (self._match(phrase),))]

    def top(self, phrase: str) -> tuple[int, list[int]]:
        hits = [rowid - 1 for (rowid,) in self.db.execute(
            "SELECT rowid FROM p WHERE p MATCH ? ORDER BY rank LIMIT ?",
            (self._match(phrase), TOP))]
        return self.count(phrase), hits


class JiebaWhoosh:
    """A Whoosh index of the paragraphs analysed with `jieba.analyse.ChineseAnalyzer`."""

    def __init__(self, index_dir: Path):
        from whoosh import index

        self.ix = index.open_dir(str(index_dir))
        self.searcher = self.ix.searcher()

    @classmethod
    def build(cls, index_dir: Path, rows: list[Row], procs: int = 1) -> "JiebaWhoosh":
        from jieba.analyse import ChineseAnalyzer
        from whoosh import fields, index

        shutil.rmtree(index_dir, ignore_errors=True)
        index_dir.mkdir(parents=True)
        schema = fields.Schema(row=fields.NUMERIC(stored=True),
                               text=fields.TEXT(analyzer=ChineseAnalyzer()))
        ix = index.create_in(str(index_dir), schema)
        kwargs = {"procs": procs, "multisegment": True, "limitmb": 128} if procs > 1 else {}
        writer = ix.writer(**kwargs)
        for i, r in enumerate(rows):
            writer.add_document(row=i, text=r.text)
        writer.commit()
        return cls(index_dir)

    def _query(self, phrase: str):
        from whoosh.qparser import QueryParser

        return QueryParser("text", self.ix.schema).parse(f'"{phrase}"')

    def matches(self, phrase: str) -> list[int]:
        q = self._query(phrase)
        return sorted(self.searcher.stored_fields(d)["row"] for d in self.searcher.docs_for_query(q))

    def count(self, phrase: str) -> int:
        return len(list(self.searcher.docs_for_query(self._query(phrase))))

    def top(self, phrase: str) -> tuple[int, list[int]]:
        results = self.searcher.search(self._query(phrase), limit=TOP)
        return len(results), [hit["row"] for hit in results]

    def close(self) -> None:
        self.searcher.close()
