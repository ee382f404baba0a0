"""`SearchIndex`: build, update and search the index of the archive's Reports.

Three layers: SQLite (`index.store`) = paragraph store + change log, the source of truth;
Whoosh (`index.wordindex`) = the jieba word index, following SQLite's change log; the exact
layer = a memory-mapped suffix array over the folded text (`index.exact`), built from SQLite,
plus the paragraphs written since, scanned in memory until the next build (`index.snapshot`).

This module holds the writes and the query pipeline's order; each stage is its own module:
`index.query` (parse), `index.snapshot` (match), `index.facets` (count), `index.rank` (rank
the page), `index.highlight`. A second backend would replace `Snapshot` and keep the rest.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import numpy as np

from archive.errors import ArchiveError, IndexBusy, QueryError, ReportNotFound
from archive.model import Report
from index import exact, rank
from index.analysis import bigrams, learn_words, query_words
from index.facets import count as count_facets
from index.highlight import highlight
from index.indexing import analyse_all, default_procs
from index.query import And, Scope, make_scope, parse, terms
from index.snapshot import EMPTY, Snapshot
from index.store import TABLES, Store
from index.wordindex import WordIndex

SORTS = ("relevance", "year", "town")
MODE_LABELS = {"exact": "精确匹配", "words": "分词匹配", "mixed": "精确匹配 + 分词匹配"}
MERGE_MIN = 2_000_000  # delta characters scanned in memory before the exact base is rebuilt…
MERGE_SHARE = 0.1      # …and the share of the base they must also exceed
BATCH_REPORTS = 500    # reports written per transaction by `update_many` (held in memory at once)
SIMILAR_WORDS = 12  # the rarest words of a paragraph find its look-alikes (measured at 52k paragraphs: median 360 → 40 ms)


@dataclass
class Hit:
    report_id: str
    paragraph_id: str
    title: str
    town: str
    county: str
    year: Optional[int]
    section: str
    heading_path: list[str]
    text: str
    highlights: list[list[int]]
    exact: bool = False
    score: float = 0.0
    kind: str = "text"
    text_original: str = ""
    highlights_original: list[list[int]] = field(default_factory=list)
    issuer: Optional[str] = None     # for citations of exported hits (webapp.citation)
    issued: Optional[str] = None
    title_derived: bool = False

    def to_dict(self) -> dict:
        """The hit as JSON-ready values, "part" (as in archive.model) beside "section". Not
        `dataclasses.asdict`: its deep copy of every highlight list cost a tenth of a page."""
        out = {name: getattr(self, name) for name in _HIT_FIELDS}
        out["part"] = self.section
        return out


_HIT_FIELDS = tuple(f.name for f in fields(Hit))


@dataclass
class SearchResult:
    query: str
    mode: str                       # exact | words | mixed
    total_paragraphs: int
    total_reports: int
    hits: list[Hit]
    facets: dict[str, dict]         # year/town/county/section → {value: matching paragraphs}
    trend: dict[int, dict]          # year → {"reports", "matching", "share"}
    page: int = 1
    per_page: int = 20
    sort: str = "relevance"

    @property
    def mode_label(self) -> str:
        return MODE_LABELS[self.mode]

    def to_dict(self) -> dict:
        return {
            "query": self.query, "mode": self.mode, "mode_label": self.mode_label,
            "total_paragraphs": self.total_paragraphs, "total_reports": self.total_reports,
            "total": self.total_paragraphs, "page": self.page, "per_page": self.per_page, "sort": self.sort,
            "hits": [h.to_dict() for h in self.hits],
            "facets": {name: {str(k): v for k, v in counts.items()}
                       for name, counts in self.facets.items()},
            "trend": {str(y): dict(t) for y, t in self.trend.items()},
        }


@dataclass
class _Matches:
    """Everything about a query that does not depend on the page: cached per generation."""
    docs: np.ndarray                # matching paragraph ids, ascending
    exact: np.ndarray               # those matching exactly
    mode: str
    terms: tuple
    facets: dict
    trend: dict
    total_reports: int
    # sort → ordered doc ids, filled lazily; "scores": the exact hits' scores;
    # "words": (word-only hits ranked so far, complete?)
    orders: dict = field(default_factory=dict)


class SearchIndex:
    """The index in `index_dir`. Safe to share between threads; several processes may open the
    same directory (one writer at a time, the others wait up to `lock_timeout`)."""

    def __init__(self, index_dir, lock_timeout: float = 10.0):
        self.dir = Path(index_dir)
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()
        self._snapshot: Optional[Snapshot] = None
        self._base: Optional[exact.ExactBase] = None
        self._merging: Optional[threading.Thread] = None
        self.store = Store(self.dir, lock_timeout)
        self.words = WordIndex(self.dir, lock_timeout)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            if not _old_index_files(self.dir) and not self.store.is_current():
                try:
                    self.store.ensure()  # a new file, perhaps being made by another process now
                except IndexBusy:
                    raise
                except (ArchiveError, sqlite3.DatabaseError):
                    self.store.close()  # damaged: not current, `archive reindex` replaces it
            self.current = self.store.is_current()
            if self.current and self.words.state() == (0, 0):  # new, or its word index was lost
                try:
                    self._words_catch_up()
                except IndexBusy:
                    pass  # another process is writing it
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(f"无法创建检索索引（{exc}）：请检查 {self.dir} 文件夹是否可写") from None

    def _require_current(self) -> None:
        if not self.current:
            raise ArchiveError("检索索引是旧版本或已损坏：请运行 archive reindex 重建索引")

    # --- writing -----------------------------------------------------------------------

    def rebuild(self, reports: Iterable[Report],
                progress: Optional[Callable[[int, int], None]] = None,
                procs: Optional[int] = None, versions: Optional[dict[str, str]] = None,
                archive_generation: Optional[str] = None) -> int:
        """Replace the whole index with these reports; returns the number of paragraphs.
        jieba runs in `procs` processes (default: one per core on large inputs). Readers see
        the old index until the commit, which records the reports' archive `versions` and the
        `archive_generation` they were read at."""
        reports = list(reports)
        if not self.current:  # written by an older version, or damaged: start afresh
            for old in _old_index_files(self.dir):
                old.unlink()
            self.store.create()
            self.current = True
        learn_words(n for r in reports for n in (r.place.town, r.place.county, r.place.city))
        procs = procs if procs is not None else default_procs(reports)
        with self.store.writing() as con:
            for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                       "IN ('reports', 'paragraphs', 'versions')").fetchall():
                con.execute(f"DROP TABLE {name}")
            con.execute("DELETE FROM sqlite_sequence")
            for sql in TABLES:
                if "meta" not in sql and "changes" not in sql:
                    con.execute(sql)

            def rows():  # each report into SQLite, its words on to Whoosh, as jieba delivers
                for done, (report, analysed) in enumerate(analyse_all(reports, procs), 1):
                    ids = self.store.add_report(con, report, analysed)
                    yield from ((i, report.id, a[2]) for i, a in zip(ids, analysed))
                    if progress:
                        progress(done, len(reports))
            # written beside the one in use; published once SQLite has committed
            name = self.words.build(rows())
            self.store.bump(con, new_epoch=True)
            self.store.set_versions(con, versions or {})
            if archive_generation is not None:
                self.store.set_archive_generation(con, archive_generation)
        self.words.publish(name, self.store.state())
        exact.build(self.dir, self.store.connection())
        self.store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")  # don't keep a 2nd copy
        return sum(len(r.paragraphs) for r in reports)

    def update(self, report: Report) -> None:
        """Replace the documents of this one report (adds it when new)."""
        self.update_many([report])

    def update_many(self, reports: Iterable[Report], deleted: Iterable[str] = (),
                    archive_generation: Optional[str] = None, procs: Optional[int] = None,
                    progress: Optional[Callable[[int, int], None]] = None,
                    versions: Optional[dict[str, str]] = None,
                    verify: Optional[Callable[[list[str]], dict[str, str]]] = None,
                    analysed: Optional[Callable[[Report], Optional[list]]] = None,
                    merge: bool = True) -> int:
        """Replace (or add) these reports and remove the `deleted` ids in one pass: per batch
        of BATCH_REPORTS reports one SQLite transaction and one Whoosh commit (jieba in
        `procs` processes, default one per core on large batches); the last transaction
        records `archive_generation` (the catalogue generation the index then reflects).
        Each report's archive version (`versions`) is recorded with its paragraphs. `verify`
        (ids → their archive versions now) is asked inside each transaction: a report whose
        version moved on since it was read, or a deletion of an id that is back, is left for
        whoever wrote the newer one (concurrent writers never put back an older version), and
        then `archive_generation` is not recorded. Returns the number of paragraphs written.
        New text is findable at once (the exact layer's delta); the exact base is rebuilt when
        the delta has grown large (`merge=False`: not now; a caller writing several batches
        merges once at the end). `analysed(report)` gives a report's paragraphs already
        analysed (`index.indexing.analyse`) or None. `reports` may be a generator: only one
        batch is held at a time."""
        self._require_current()
        deleted = list(deleted)
        written = done = 0
        stale = False  # a report left for a newer writer: the index is not at archive_generation
        batches = _batches(reports, BATCH_REPORTS)
        batch = next(batches, [])
        while True:
            following = next(batches, None)
            last = following is None
            if any(not r.id for r in batch):
                raise ValueError("a report must be stored (have an id) before it is indexed")
            learn_words(n for r in batch for n in (r.place.town, r.place.county, r.place.city))
            ready = list(analyse_all(batch, procs, analysed))
            with self.store.writing() as con:
                now = verify([r.id for r in batch] + (deleted if last else [])) if verify else None
                written_ids = []
                for report, paragraphs in ready:
                    version = (versions or {}).get(report.id)
                    if now is not None and now.get(report.id) != version:
                        stale = True
                        continue
                    self.store.remove_report(con, report.id)
                    self.store.add_report(con, report, paragraphs)
                    if version is not None:
                        self.store.set_versions(con, {report.id: version})
                    written_ids.append(report.id)
                back = {rid for rid in deleted if now is not None and rid in now} if last else set()
                stale = stale or bool(back)
                gone = [rid for rid in deleted if rid not in back
                        and self.store.remove_report(con, rid)] if last else []
                if written_ids or gone:
                    self.store.bump(con, written_ids + gone)
                if last and archive_generation is not None and not stale:
                    self.store.set_archive_generation(con, archive_generation)
            written += sum(len(r.paragraphs) for r in batch)
            done += len(batch)
            if progress:
                progress(done, done + (0 if last else len(following)))
            self._words_catch_up()
            if last:
                break
            batch = following
        if merge:
            self._merge_exact()
        return written

    def delete(self, report_id: str) -> None:
        self.update_many([], deleted=[report_id])

    def _words_catch_up(self) -> None:
        """Replay into Whoosh what SQLite committed since the word index's generation (this
        write, and any a crash or a busy lock left behind)."""
        self.words.catch_up(self.store.state(), self.store.changed_since, self.store.word_rows)

    def _merge_exact(self, wait: bool = True) -> bool:
        """Rebuild the exact base when none of this epoch exists or the delta after it has
        grown past MERGE_MIN characters and MERGE_SHARE of the base; returns whether it did."""
        epoch = self.store.state()[0]
        base = exact.open_base(self.dir, epoch)
        after = base.last_pid if base is not None else 0
        delta = self.store.connection().execute(
            "SELECT coalesce(sum(length(folded)), 0) FROM paragraphs WHERE id > ?", (after,)).fetchone()[0]
        if base is not None:
            if delta <= max(MERGE_MIN, MERGE_SHARE * base.chars):
                base.close()
                return False
            base.close()
        elif not delta:
            return False
        return exact.build(self.dir, self.store.connection(), wait=wait) is not None

    def _merge_in_background(self) -> None:
        """Build the exact base in a thread (a server whose index has none, or whose delta
        grew through writes of other processes that did not merge); searches go on meanwhile."""
        with self._lock:
            if self._merging is not None and self._merging.is_alive():
                return

            def run():
                try:
                    self._merge_exact(wait=False)
                except Exception:  # noqa: BLE001 — a failed merge only leaves the delta scanned
                    logging.getLogger(__name__).exception("exact base build failed")
                finally:
                    self.store.close()  # this thread's connection
            self._merging = threading.Thread(target=run, name="exact-merge", daemon=True)
            self._merging.start()

    # --- reading -----------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The view of the latest commit (refreshed with what changed since)."""
        self._require_current()
        try:
            state = self.store.state()
        except sqlite3.DatabaseError:
            raise ArchiveError("检索索引已损坏：请运行 archive reindex 重建索引") from None
        name = exact.current(self.dir)
        snap = self._snapshot
        if (snap is not None and (snap.epoch, snap.generation) == state
                and (snap.base is None or snap.base.name == name)
                and (name is None or snap.base is not None or not name.startswith(f"{state[0]}-"))):
            return snap
        with self._lock:
            if self._base is None or self._base.name != name:
                self._base = exact.open_base(self.dir, state[0])
            base = self._base
            with self.store.reading():  # what is read matches the state it is labelled
                state = self.store.state()
                if base is not None and (base.epoch != state[0] or base.generation > state[1]):
                    base = None
                snap = self._snapshot
                if snap is None:
                    snap = Snapshot.load(self.store, self.words, state, base)
                elif (snap.epoch, snap.generation) != state or snap.base is not base:
                    snap = snap.refreshed(state, base)
            self._snapshot = snap
        if snap.delta_chars > max(MERGE_MIN, MERGE_SHARE * (base.chars if base is not None else 0)):
            self._merge_in_background()
        return snap

    def years(self) -> dict[int, int]:
        """{year: number of reports} over the whole index."""
        return dict(sorted(self.snapshot().reports_per_year.items()))

    def report_ids(self) -> list[str]:
        return sorted(self.snapshot().report_year)

    def report_words(self, report_id: str) -> list[list[str]]:
        """The jieba words of each paragraph of one report as indexed (sub-words included),
        in paragraph order; [] for a report the index does not hold."""
        self._require_current()
        rows = self.store.connection().execute(
            "SELECT tokens FROM paragraphs WHERE report_id = ? AND kind != 'title' ORDER BY id", (report_id,))
        return [tokens.split() for (tokens,) in rows]

    def archive_generation(self) -> Optional[str]:
        """The archive catalogue's generation this index reflects, as recorded by `rebuild` or
        `update_many` (None: unknown; it stays older when an update left a report to a newer writer)."""
        self._require_current()
        return self.store.archive_generation()

    def versions(self) -> dict[str, Optional[str]]:
        """Report id -> the archive version (`Archive.versions`) its indexed text was read at, for
        every report indexed (None: indexed before versions were recorded)."""
        self._require_current()
        return self.store.versions()

    def paragraph_count(self) -> int:
        """The lines the index holds: every paragraph, and the titles (`index.documents`)."""
        return len(self.snapshot().alive)

    def search(self, query: str, *, town=None, county=None, year=None, section=None,
               report_id=None, kind=None, sort: str = "relevance", page: int = 1,
               per_page: int = 20, genre=None, level=None) -> SearchResult:
        """Search; keyword filters combine (AND) with scopes written in the query, and a blank
        query with filters lists what the filters allow. `year` is an int, a (first, last)
        tuple or "2021-2024"; `report_id` keeps one report's paragraphs; `kind` keeps one kind
        ("text": body paragraphs, "heading", "title": the report's title, `index.documents`);
        without it every stored line is searched; per_page=0 returns every hit; `genre` and
        `level` take a code or any name of one (archive.rules).

        One direction: parse (`index.query`) → plan (filters joined, scopes first) → match
        (`Snapshot.evaluate`: exact layer, word layer) → count (`index.facets`) → rank the
        page (`index.rank`) → highlight (`index.highlight`). What does not depend on the page
        is cached in the snapshot (per index generation)."""
        if sort not in SORTS:
            raise QueryError(f"不支持的排序“{sort}”：请用 relevance（相关度）、year（年份）或 town（乡镇）")
        if not isinstance(page, int) or page < 1 or not isinstance(per_page, int) or per_page < 0:
            raise QueryError("页码须是从 1 开始的整数，每页条数须是不小于 0 的整数")
        node = plan(query, {"town": town, "county": county, "year": year, "section": section,
                            "report_id": report_id, "kind": kind, "genre": genre, "level": level})
        snap = self.snapshot()
        matches = snap.cache.get(("query", node))
        if matches is None:
            matches = self._match(snap, node)
            snap.cache.put(("query", node), matches, 2 * len(matches.docs) + 1)
        start = (page - 1) * per_page
        end = start + per_page if per_page else None
        ordered = self._order(snap, matches, sort, end)[start:end]
        hits = self._hits(ordered, snap.mask(matches.exact), matches.terms)
        return SearchResult(query=query, mode=matches.mode, total_paragraphs=len(matches.docs),
                            total_reports=matches.total_reports, hits=hits,
                            facets=matches.facets, trend=matches.trend,
                            page=page, per_page=per_page, sort=sort)

    def suggest(self, query: str, limit: int = 5) -> list["Suggestion"]:
        """For a query that found nothing: per phrase of it that occurs nowhere, the nearest
        phrases that do (`Snapshot.near_phrases`: one or two characters different), each with
        its paragraphs and the query with the phrase replaced by it. [] when nothing is near
        (or the query cannot be parsed)."""
        try:
            node = parse(query)
        except QueryError:
            return []
        snap = self.snapshot()
        out = []
        for term in dict.fromkeys(terms(node)):
            if term.kind == "words" or len(snap.phrase_docs(term.folded)):
                continue
            for phrase, paragraphs in snap.near_phrases(term.folded, limit):
                out.append(Suggestion(term.text, phrase, paragraphs, query.replace(term.text, phrase, 1)))
        return out[:limit]

    def empty_scopes(self, query: str, **filters) -> tuple[list[Scope], list[Scope], bool]:
        """Why a search may find nothing in its scopes alone (those ANDed at the top of the query
        and the keyword filters): (the scopes, each that holds no paragraph at all — a year the
        archive has no report of, an unknown town —, whether they hold none together)."""
        scopes = [c for c in _conjuncts(plan(query, filters)) if isinstance(c, Scope) and c.field != "kind"]
        snap = self.snapshot()
        empty = [scope for scope in scopes if not len(snap.scope_docs(scope))]
        together = bool(scopes) and not len(snap.evaluate(And(tuple(scopes)), strict=False))
        return scopes, empty, together

    def _match(self, snap: Snapshot, node) -> _Matches:
        docs = snap.evaluate(node, strict=False)
        found_terms = tuple(dict.fromkeys(terms(node)))
        if not found_terms:          # only scopes: every hit satisfies the query exactly
            exact_docs, mode = docs, "exact"
        elif all(t.kind == "words" for t in found_terms):
            exact_docs, mode = EMPTY, "words"
        else:
            exact_docs = snap.intersect(snap.evaluate(node, strict=True), docs)
            mode = "exact" if len(exact_docs) == len(docs) else ("words" if not len(exact_docs) else "mixed")
        facets, trend, total_reports = count_facets(snap, docs, _reports_in_scope(snap, node))
        return _Matches(docs, exact_docs, mode, found_terms, facets, trend, total_reports)

    def _order(self, snap: Snapshot, m: _Matches, sort: str,
               end: Optional[int]) -> list[tuple[int, float]]:
        """(doc number, score) in result order, complete at least up to `end` (None: all)."""
        if sort != "relevance":
            ordered = m.orders.get(sort)
            if ordered is None:
                ordered = m.orders[sort] = rank.by_field(snap, m.docs, sort)
            return [(int(d), 0.0) for d in ordered[:end]]
        scores = m.orders.get("scores")
        if scores is None:
            scores = m.orders["scores"] = rank.exact_scores(snap, m.exact, m.terms)
        best = rank.top(m.exact, scores, end)
        ordered = [(int(d), float(s)) for d, s in zip(m.exact[best], scores[best])]
        if len(m.exact) < len(m.docs) and (end is None or end > len(ordered)):
            done = m.orders.get("words", ([], False))
            done = m.orders["words"] = rank.word_ranked(
                snap, m.terms, snap.minus(m.docs, m.exact), len(m.exact),
                end and end - len(ordered), done)
            ordered += done[0][:None if end is None else end - len(ordered)]
        return ordered

    def _hits(self, ordered: list[tuple[int, float]], exact_mask: np.ndarray, found_terms) -> list[Hit]:
        rows = self.store.hit_rows([d for d, _ in ordered])
        hits = []
        for d, score in ordered:
            if d not in rows:  # deleted since this snapshot was taken
                continue
            (_, rid, pid, kind, part, heading_path, text, original, title, title_derived,
             town, county, year, issued, issuer) = rows[d]
            original = original or text
            hl = highlight(text, found_terms)
            hits.append(Hit(
                report_id=rid, paragraph_id=pid, title=title, town=town, county=county,
                year=year, section=part, heading_path=json.loads(heading_path), text=text,
                highlights=hl, exact=bool(d < len(exact_mask) and exact_mask[d]),
                score=round(score, 4), kind=kind, text_original=original,
                highlights_original=hl if original == text else highlight(original, found_terms),
                issuer=issuer, issued=issued, title_derived=bool(title_derived)))
        return hits

    def similar(self, report_id: str, paragraph_id: str, limit: int = 5) -> list[Hit]:
        """The paragraphs of OTHER reports most like this one; `score` is the bigram Jaccard
        similarity (0..1). Candidates come from a BM25 OR-query of the paragraph's rarest words."""
        snap = self.snapshot()
        d = snap.key(report_id, paragraph_id)
        if d is None:
            raise ReportNotFound(f"索引里没有段落 {report_id} {paragraph_id}：请确认编号，或运行 archive reindex")
        folded = snap.folded(d)
        source = set(bigrams(folded))
        words = sorted({w for w in query_words(folded) if len(w) > 1})
        if not source or not words:
            return []
        df = self.words.doc_frequencies(words)
        words = sorted(words, key=lambda w: (df.get(w, 0), w))[:SIMILAR_WORDS]
        same_report = len(snap.report_docs(report_id))
        candidates = snap.word_scores(words, limit=max(50, limit * 10) + same_report)
        scored = []
        for e, _ in candidates:
            other_report = snap.report_of(e)
            if other_report is not None and other_report != report_id:
                other = set(bigrams(snap.folded(e)))
                sim = len(source & other) / len(source | other) if other else 0.0
                if sim > 0:
                    scored.append((sim, e))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return self._hits([(e, sim) for sim, e in scored[:limit]], EMPTY, ())


REPORT_SCOPES = ("town", "county", "city", "province", "year", "report_id", "genre", "level")
RAW_FILTERS = ("report_id", "kind")  # keyword filters taken as they are (not query fields)


def plan(query: str, filters: dict) -> object:
    """The query tree: the parsed query ANDed with the keyword `filters` ({name: value}; None
    and "" are no filter; any query field by name — a new filter is one more key). A blank
    query with filters browses: every paragraph the filters allow."""
    scopes = [Scope(name, str(value)) if name in RAW_FILTERS else make_scope(name, value)
              for name, value in filters.items() if value not in (None, "")]
    if scopes and isinstance(query, str) and not query.strip():
        return And(tuple(scopes))
    node = parse(query)
    return And((node, *scopes)) if scopes else node


@dataclass(frozen=True)
class Suggestion:
    """A phrase near one the query holds that found nothing (`SearchIndex.suggest`)."""
    typed: str          # the phrase as typed in the query
    phrase: str         # the nearby phrase that occurs (folded)
    paragraphs: int     # the paragraphs holding it
    query: str          # the query with `typed` replaced by `phrase`

    def to_dict(self) -> dict:
        return {"typed": self.typed, "phrase": self.phrase, "paragraphs": self.paragraphs,
                "query": self.query}


def _reports_in_scope(snap: Snapshot, node) -> Optional[np.ndarray]:
    """The reports the query's place, year and report scopes allow (those ANDed at the top,
    keyword filters included), as a boolean per report ordinal; None when it has none: the
    denominators of the trend's shares."""
    scopes = [c for c in _conjuncts(node) if isinstance(c, Scope) and c.field in REPORT_SCOPES]
    if not scopes:
        return None
    allowed = np.ones(len(snap.reports.ids) + 1, dtype=bool)
    for scope in scopes:
        hit = np.zeros(len(allowed), dtype=bool)
        hit[snap.pid_report[snap.scope_docs(scope)]] = True
        allowed &= hit
    return allowed


def _conjuncts(node) -> list:
    """The parts of the query every hit satisfies: the children of its top-level ANDs
    (the parsed query's and the keyword filters'), flattened."""
    if isinstance(node, And):
        return [c for child in node.children for c in _conjuncts(child)]
    return [node]


def _old_index_files(index_dir: Path) -> list[Path]:
    """Files of the Whoosh index earlier versions wrote here (a reindex replaces them)."""
    return sorted(p for p in index_dir.glob("*MAIN*") if p.is_file())


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
