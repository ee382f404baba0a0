"""The jieba word index: a Whoosh index in `<index_dir>/whoosh/` that ranks paragraphs (BM25F),
answers bare-word queries (doc sets for AND / OR of words) and gives the document frequencies
`similar` picks its rare words by.

It indexes the space-separated words `index.indexing.analyse_texts` produces, one Whoosh
document per paragraph, keyed by the paragraph's row id in the SQLite store (`pid`). SQLite is
the source of truth: the word index only follows it. `state.json` (written atomically after
each Whoosh commit) records the SQLite (epoch, generation) the index reflects; `catch_up`
replays the reports the SQLite change log lists after that generation, so a crash between a
SQLite commit and the Whoosh commit heals on the next write. Replaying is idempotent (each
changed report is deleted, then re-added from its current SQLite rows).

Positions are a running word count (0, 1, 2 …), not the character offsets that jieba's own
Whoosh analyzer stores, so a Whoosh `Phrase` of words matches. The sub-words `index_tokens` adds
after a long word (法治政府建设 → 法治, 政府, 建设) share that word's position, like synonyms:
they are alternatives at that place in the text, not extra words after it. Positions cost
little: on 300 laws (33k paragraphs) 9.8 s instead of 8.9 s to build, 15 MB instead of 7 MB
(phrases are still answered by the exact layer; positions make a Whoosh phrase of words right).
"""
from __future__ import annotations

import bisect
from array import array
import json
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from whoosh import index as whoosh_index
from whoosh.analysis import Token, Tokenizer
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query import And, Or, Term
from whoosh.scoring import BM25F
from whoosh.formats import Positions
from whoosh.util.filelock import try_for
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import IndexWriter, LockError, SegmentWriter

from archive.errors import ArchiveError, IndexBusy

FOLDER = "whoosh"
STATE_FILE = "state.json"
SCHEMA_VERSION = 1
# A paragraph as the word index takes it: (pid, report_id, space-separated words).
Row = tuple[int, str, str]
# Documents per segment a rebuild writes (`FastWriter` holds a segment's postings in memory:
# ~30 words a paragraph, ~0.1 KB each → ~300 MB); an index of N paragraphs has N / SEGMENT_DOCS.
SEGMENT_DOCS = 100_000
NAMES = ("words-a", "words-b")
BUSY = "索引正在被另一个程序更新，请稍后再试"


class WordTokenizer(Tokenizer):
    """Splits the indexer's word string on spaces; positions count words 0, 1, 2 …

    A sub-word (a shorter dictionary word inside the word before it, listed right after it
    by `index.analysis.index_tokens` in the order 2-grams then 3-grams, left to right) takes
    the position of its word.
    """

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, pos in word_positions(value, start_pos):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = pos
            yield token


def word_positions(value: str, start_pos: int = 0) -> Iterator[tuple[str, int]]:
    """Each word of `value` with its position (the rule of `WordTokenizer`), one loop shared by
    the tokenizer and `word_postings` so Whoosh's writer and the fast writer agree."""
    pos = start_pos - 1
    word, last = "", (0, -1)  # the current long word; (n, i) of its last sub-word
    for text in value.split():
        order = _subword_order(word, text)
        if order is not None and order > last:
            last = order
        else:
            pos += 1
            word, last = (text if len(text) > 2 else ""), (0, -1)
        yield text, pos


def _subword_order(word: str, text: str) -> Optional[tuple[int, int]]:
    """(length, offset) of `text` inside `word` if it can be one of `word`'s sub-words."""
    if not word or len(text) not in (2, 3) or len(text) >= len(word):
        return None
    at = word.find(text)
    return None if at < 0 else (len(text), at)


def word_postings(value: str) -> Iterator[tuple[bytes, int, float, bytes]]:
    """What Whoosh's `Positions.word_values` over `WordTokenizer` yields for `value`, as
    `TEXT.index` returns it — (word bytes, frequency, weight, encoded positions) per distinct
    word — in one loop without Token objects (a fifth of the writer's time)."""
    poses: dict[str, list[int]] = {}
    for text, pos in word_positions(value):
        found = poses.get(text)
        if found is None:
            poses[text] = [pos]
        else:
            found.append(pos)
    encode, single = _POSITIONS.encode, _SINGLE
    for text, poslist in poses.items():
        if len(poslist) == 1:  # most words: one position, its encoding remembered
            p = poslist[0]
            value = single.get(p)
            if value is None:
                value = single[p] = encode(poslist)
            yield text.encode("utf-8"), 1, 1.0, value
        else:
            yield text.encode("utf-8"), len(poslist), float(len(poslist)), encode(poslist)


_POSITIONS = Positions()
_SINGLE: dict[int, bytes] = {}  # position -> encoded [position]


class _TermPool:
    """Whoosh's posting pool, grouped by term in memory. Whoosh's own `PostingPool` sizes
    every posting, pickles it to temporary run files past `limitmb` and merge-sorts the
    5-tuples back: 40 % of a commit. Postings arrive in docnum order (documents are added,
    and merged segments appended, in order), so sorting the terms alone gives Whoosh's order.
    Per term: docnums and weights in arrays, values in a list (most are one shared object):
    ~25 bytes a posting, not the ~100 of a tuple."""

    def __init__(self):
        self.terms: dict[tuple[str, bytes], tuple[array, array, list]] = {}
        self.fieldnames: set[str] = set()

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        postings = self.terms.get((fieldname, tbytes))
        if postings is None:
            postings = self.terms[(fieldname, tbytes)] = (array("q"), array("d"), [])
            self.fieldnames.add(fieldname)
        postings[0].append(docnum)
        postings[1].append(weight)
        postings[2].append(vbytes)

    def iter_postings(self) -> Iterator[tuple]:
        terms = self.terms
        for key in sorted(terms):
            fieldname, tbytes = key
            docnums, weights, values = terms[key]
            if any(a > b for a, b in zip(docnums, docnums[1:])):
                raise AssertionError("postings out of docnum order")  # never: see the docstring
            for docnum, weight, vbytes in zip(docnums, weights, values):
                yield fieldname, tbytes, docnum, weight, vbytes

    def save(self) -> None:
        pass

    def cleanup(self) -> None:
        self.terms = {}


class _Lengths:
    """The per-document lengths a segment's postings are written with: the `words` lengths
    of the documents this writer added, from memory (Whoosh reads each posting's length back
    from the column file it just wrote), others from the segment's reader."""

    def __init__(self, reader, words: dict[int, int]):
        self.reader, self.words = reader, words

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        if fieldname == "words":
            n = self.words.get(docnum)
            if n is not None:
                return n
        return self.reader.doc_field_length(docnum, fieldname, default)

    def close(self) -> None:
        self.reader.close()


class FastWriter(SegmentWriter):
    """A Whoosh `SegmentWriter` for this schema writing the same segment files, faster: the
    words are turned into postings by `word_postings`, kept by `_TermPool`, and their lengths
    remembered (`_Lengths`). Everything else (deletions, merges, the commit) is Whoosh's own.
    Memory grows with the postings of one commit (~0.2 KB each): callers commit in batches."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.pool = _TermPool()
        self._word_lengths: dict[int, int] = {}
        field = self.schema["words"]
        if type(field.format) is not Positions or not isinstance(field.analyzer, WordTokenizer):
            raise ValueError("FastWriter needs the words field of wordindex.schema()")

    def add_document(self, **fields) -> None:
        words = fields.pop("words", None)
        if words is None:
            return super().add_document(**fields)
        # The other fields (pid column, report_id) the usual way; then the words: `words`
        # sorts last, so Whoosh would have handled it last too.
        docnum = self.docnum
        perdocwriter = self.perdocwriter
        schema = self.schema
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in sorted(fields):
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    for tbytes, freq, weight, vbytes in field.index(value):
                        if field.scorable:
                            length += freq
                        self.pool.add((fieldname, tbytes, docnum, weight, vbytes))
                perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
                if field.column_type:
                    perdocwriter.add_column_value(fieldname, field.column_type,
                                                  field.to_column_value(value))
            length = 0
            add = self.pool.add
            for tbytes, freq, weight, vbytes in word_postings(words):
                length += freq
                add(("words", tbytes, docnum, weight, vbytes))
            perdocwriter.add_field("words", schema["words"], None, length)
            if length:
                self._word_lengths[docnum] = byte_to_length(length_to_byte(length))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = _Lengths(self.per_document_reader(), self._word_lengths)
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        lengths.close()


def schema() -> Schema:
    """`pid` is a column only (docnum → pid, read per segment), not indexed: as a NUMERIC
    field it added 16 range terms per paragraph — a third of the build time. Nothing looks a
    paragraph up by pid; a report's paragraphs are replaced by `report_id`."""
    return Schema(
        pid=COLUMN(NumericColumn("q")),
        report_id=ID,
        words=TEXT(analyzer=WordTokenizer(), phrase=True),
    )


class WordIndex:
    """The Whoosh word index of one index folder. Each thread reuses one searcher, reopened
    when a writer has committed; writers take Whoosh's lock, waiting up to `lock_timeout`.

    A rebuild writes a second Whoosh index (names `words-a` / `words-b` alternate in the
    folder) and switches to it by replacing `state.json`, so readers keep the old one whole
    until the new one is complete, and a crash mid-rebuild leaves the old one in use.
    """

    def __init__(self, index_dir: Path, lock_timeout: float = 10.0):
        self.dir = Path(index_dir) / FOLDER
        self.lock_timeout = lock_timeout
        self._local = threading.local()  # name, ix, searcher of this thread
        self._pids: dict[str, list[int]] = {}  # per segment id: docnum → pid (copied on write)
        self._pids_lock = threading.Lock()

    # --- state ---------------------------------------------------------------------------

    def state(self) -> tuple[int, int]:
        """The SQLite (epoch, generation) the index reflects; (0, 0) if none or unreadable."""
        state = self._state()
        return (state["epoch"], state["generation"]) if state else (0, 0)

    def _state(self) -> Optional[dict]:
        try:
            state = json.loads((self.dir / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if state.get("schema") != SCHEMA_VERSION or state.get("name") not in NAMES:
            return None
        return state

    def _write_state(self, name: str, state: tuple[int, int]) -> None:
        tmp = self.dir / f"{STATE_FILE}.tmp"
        tmp.write_text(json.dumps({"schema": SCHEMA_VERSION, "name": name, "epoch": state[0],
                                   "generation": state[1]}), encoding="utf-8")
        os.replace(tmp, self.dir / STATE_FILE)

    def _index(self):
        """This thread's handle on the current Whoosh index (reopened after a rebuild)."""
        state = self._state()
        if state is None:
            raise ArchiveError("检索索引的词索引缺失或已损坏：请运行 archive reindex 重建索引")
        local = self._local
        if getattr(local, "ix", None) is None or local.name != state["name"]:
            self.close()
            try:
                # no mmap: Whoosh would copy each compound segment's postings into a BytesIO
                # (and touch every mapped page doing so): ~280 MB resident at 364k paragraphs
                storage = FileStorage(str(self.dir), supports_mmap=False)
                local.ix = storage.open_index(indexname=state["name"])
            except (OSError, whoosh_index.IndexError) as exc:
                raise ArchiveError(f"检索索引的词索引无法读取（{exc}）：请运行 archive reindex 重建索引") from None
            local.name = state["name"]
        return local.ix

    def close(self) -> None:
        """Close this thread's searcher."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
        self._local.__dict__.clear()

    # --- writing -------------------------------------------------------------------------

    @contextmanager
    def _writer(self, ix, **kwargs) -> Iterator[IndexWriter]:
        try:
            writer = FastWriter(ix, timeout=self.lock_timeout, delay=0.05, **kwargs)
        except LockError:
            raise IndexBusy(BUSY) from None
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def build(self, rows: Iterable[Row]) -> str:
        """Write `rows` into the index readers are NOT using (its previous content dropped);
        `publish` then switches to it. Returns the index name to publish. One `FastWriter`
        segment per SEGMENT_DOCS rows (what bounds its memory); the name's write lock is taken
        before the index is created, so two builders never write the same files at once."""
        self.dir.mkdir(parents=True, exist_ok=True)
        current = self._state()
        name = NAMES[1] if current and current["name"] == NAMES[0] else NAMES[0]
        storage = FileStorage(str(self.dir))
        lock = storage.lock(f"{name}_WRITELOCK")
        if not try_for(lock.acquire, timeout=self.lock_timeout, delay=0.05):
            raise IndexBusy(BUSY)
        try:
            ix = storage.create_index(schema(), indexname=name)
            writer, held = None, 0
            try:
                for pid, report_id, words in rows:
                    if writer is None:
                        writer, held = FastWriter(ix, _lk=False), 0
                    writer.add_document(pid=pid, report_id=report_id, words=words)
                    held += 1
                    if held == SEGMENT_DOCS:
                        writer.commit(merge=False)
                        writer = None
            except BaseException:
                if writer is not None:
                    writer.cancel()
                raise
            if writer is not None:
                writer.commit(merge=False)
        finally:
            lock.release()
        return name

    def publish(self, name: str, state: tuple[int, int]) -> None:
        """Make the index `build` wrote the one readers use, as reflecting SQLite `state`."""
        old = self._state()
        self._write_state(name, state)
        self.close()
        if old and old["name"] != name:
            _remove_index_files(self.dir, old["name"])

    def rebuild(self, rows: Iterable[Row], state: tuple[int, int]) -> None:
        """A new index holding exactly `rows`, reflecting SQLite `state`."""
        self.publish(self.build(rows), state)

    def catch_up(self, state: tuple[int, int], changed_since: Callable[[int], Iterable[str]],
                 rows: Callable[[Optional[list[str]]], Iterable[Row]]) -> None:
        """Bring the index to SQLite `state`: replay the reports `changed_since(generation)`
        lists (deleted, then re-added from their current `rows(report_ids)`), or rebuild from
        `rows(None)` when the epoch differs (SQLite was rebuilt) or the index is missing."""
        mine = self._state()
        if mine is None or mine["epoch"] != state[0]:
            self.rebuild(rows(None), state)
            return
        if mine["generation"] >= state[1]:
            return
        with self._writer(self._index()) as writer:
            mine = self._state()  # another writer may have caught up while we waited
            changed = sorted(changed_since(mine["generation"])) if mine["generation"] < state[1] else []
            for report_id in changed:
                writer.delete_by_term("report_id", report_id)
            for pid, report_id, words in rows(changed) if changed else ():
                writer.add_document(pid=pid, report_id=report_id, words=words)
        # After the commit (a crash before this line only makes the next write replay again).
        # Another writer may have recorded a later generation, or rebuilt, meanwhile: never go back.
        latest = self._state()
        if latest is not None and latest["name"] == mine["name"] and latest["generation"] < state[1]:
            self._write_state(mine["name"], state)

    # --- reading -------------------------------------------------------------------------

    def searcher(self):
        """This thread's searcher, reopened if a writer has committed since (one read of
        `state.json` and one directory listing per call). Not `Searcher.refresh()`: in Whoosh
        2.7.5 it reuses a segment's reader by segment id, so deletions committed since stay
        invisible (and segments merged away are kept)."""
        ix = self._index()  # closes the searcher if a rebuild switched indexes
        local = self._local
        searcher = getattr(local, "searcher", None)
        if searcher is not None and not searcher.up_to_date():
            searcher.close()
            searcher = None
        if searcher is None:
            searcher = local.searcher = ix.searcher(weighting=BM25F())
        return searcher

    def _pid_arrays(self, searcher) -> list[tuple[int, list[int]]]:
        """(offset, docnum → pid) of each segment of this searcher. Each segment's pid column
        is read once; the cache is replaced, never changed in place, so a thread holding a
        searcher of an older commit keeps the arrays it asked for (threads share the cache)."""
        cache = self._pids
        arrays = []
        for leaf, offset in searcher.leaf_searchers():
            segid = leaf.reader().segment().segment_id()
            pids = cache.get(segid)
            if pids is None:
                pids = list(leaf.reader().column_reader("pid"))
                with self._pids_lock:
                    self._pids = {**self._pids, segid: pids}
            arrays.append((offset, pids))
        if len(self._pids) > 4 * len(arrays) + 8:  # segments merged away: forget them
            live = {leaf.reader().segment().segment_id() for leaf, _ in searcher.leaf_searchers()}
            with self._pids_lock:
                self._pids = {k: v for k, v in self._pids.items() if k in live}
        return arrays

    def _pid_lookup(self, searcher) -> Callable[[int], int]:
        """docnum → pid for this searcher."""
        arrays = self._pid_arrays(searcher)
        if len(arrays) == 1:
            return arrays[0][1].__getitem__
        offsets = [offset for offset, _ in arrays]

        def lookup(docnum: int) -> int:
            k = bisect.bisect_right(offsets, docnum) - 1
            return arrays[k][1][docnum - offsets[k]]
        return lookup

    @staticmethod
    def _query(words: list[str], operator: str):
        terms = [Term("words", w) for w in dict.fromkeys(words)]
        if operator not in ("AND", "OR"):
            raise ValueError(operator)
        return (And if operator == "AND" else Or)(terms)

    def word_docs(self, words: list[str], operator: str = "AND") -> set[int]:
        """pids of the paragraphs holding all (AND) or any (OR) of `words` in this index.
        Searches take word doc sets from the exact layer's compact postings (`index.exact`),
        built from the same words; this is what the Whoosh index itself holds."""
        if not words:
            return set()
        s = self.searcher()
        pid = self._pid_lookup(s)
        return {pid(d) for d in s.docs_for_query(self._query(words, operator))}

    def word_scores(self, words: list[str], operator: str = "OR",
                    limit: Optional[int] = None) -> list[tuple[int, float]]:
        """(pid, BM25F score) of the matching paragraphs, best first (the top `limit`)."""
        if not words:
            return []
        s = self.searcher()
        pid = self._pid_lookup(s)
        results = s.search(self._query(words, operator), limit=limit, terms=False)
        return [(pid(d), score) for d, score in results.items()]

    def doc_frequencies(self, words: list[str]) -> dict[str, int]:
        """How many paragraphs hold each word (words in none are left out)."""
        s = self.searcher()
        out = {}
        for w in words:
            n = s.doc_frequency("words", w)
            if n:
                out[w] = n
        return out


def _remove_index_files(folder: Path, name: str) -> None:
    """Delete a replaced index's files; one still open elsewhere (Windows) stays until next time."""
    for path in folder.glob(f"*{name}*"):
        try:
            path.unlink()
        except OSError:
            pass

