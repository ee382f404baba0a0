"""`SearchIndex`: build, update and search the index of the archive's Reports.

Three layers: SQLite (`index.store`) = paragraph store + change log, the source of truth;
Whoosh (`index.wordindex`) = the jieba word index, following SQLite's change log; the exact
layer (`index.snapshot`) = every paragraph's folded text in memory, for phrases.

Ranking: paragraphs matching the query exactly come first (phrases scored BM25-style from their
occurrence counts in the folded text held in memory); word-only matches follow, ranked by
Whoosh's BM25F on the jieba words. Facets and the trend are counted from the matching doc set,
cached per index generation.
"""
from __future__ import annotations

import heapq
import json
import math
import operator
import sqlite3
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from archive.errors import ArchiveError, IndexBusy, QueryError, ReportNotFound
from archive.model import Report
from index.analysis import bigrams, learn_words, query_words
from index.highlight import highlight
from index.indexing import analyse, analyse_all, default_procs
from index.query import And, Scope, make_scope, parse, terms
from index.snapshot import Snapshot
from index.store import TABLES, Store
from index.wordindex import WordIndex

SORTS = ("relevance", "year", "town")
MODE_LABELS = {"exact": "精确匹配", "words": "分词匹配", "mixed": "精确匹配 + 分词匹配"}
K1, B = 1.2, 0.75
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
        return dict(asdict(self), part=self.section)  # "part" as in archive.model


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
    docs: frozenset
    exact: frozenset
    mode: str
    terms: tuple
    facets: dict
    trend: dict
    total_reports: int
    # sort → ordered (doc, score), filled lazily; also "scores" (exact hits) and "words"
    # (word-only hits ranked so far, complete?)
    orders: dict = field(default_factory=dict)


class SearchIndex:
    """The index in `index_dir`. Safe to share between threads; several processes may open the
    same directory (one writer at a time, the others wait up to `lock_timeout`)."""

    def __init__(self, index_dir, lock_timeout: float = 10.0):
        self.dir = Path(index_dir)
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()
        self._snapshot: Optional[Snapshot] = None
        self.store = Store(self.dir, lock_timeout)
        self.words = WordIndex(self.dir, lock_timeout)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            if not self.store.path.exists() and not _old_index_files(self.dir):
                self.store.create()
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
                procs: Optional[int] = None) -> int:
        """Replace the whole index with these reports; returns the number of paragraphs.
        jieba runs in `procs` processes (default: one per core on large inputs). Readers see
        the old index until the commit."""
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
                                       "IN ('reports', 'paragraphs')").fetchall():
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
            name = self.words.build(rows(), procs)
            self.store.bump(con, new_epoch=True)
        self.words.publish(name, self.store.state())
        self.store.connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")  # don't keep a 2nd copy
        return sum(len(r.paragraphs) for r in reports)

    def update(self, report: Report) -> None:
        """Replace the documents of this one report (adds it when new)."""
        if not report.id:
            raise ValueError("a report must be stored (have an id) before it is indexed")
        self._require_current()
        learn_words([report.place.town, report.place.county, report.place.city])
        analysed = analyse(report)
        with self.store.writing() as con:
            self.store.remove_report(con, report.id)
            self.store.add_report(con, report, analysed)
            self.store.bump(con, [report.id])
        self._words_catch_up()

    def delete(self, report_id: str) -> None:
        self._require_current()
        with self.store.writing() as con:
            if self.store.remove_report(con, report_id):
                self.store.bump(con, [report_id])
        self._words_catch_up()

    def _words_catch_up(self) -> None:
        """Replay into Whoosh what SQLite committed since the word index's generation (this
        write, and any a crash or a busy lock left behind)."""
        self.words.catch_up(self.store.state(), self.store.changed_since, self.store.word_rows)

    # --- reading -----------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The in-memory view of the latest commit (refreshed with what changed since)."""
        self._require_current()
        try:
            state = self.store.state()
        except sqlite3.DatabaseError:
            raise ArchiveError("检索索引已损坏：请运行 archive reindex 重建索引") from None
        snap = self._snapshot
        if snap is not None and (snap.epoch, snap.generation) == state:
            return snap
        with self._lock, self.store.reading():  # what is read matches the state it is labelled
            snap = self._snapshot
            state = self.store.state()
            if snap is None:
                snap = Snapshot.load(self.store, self.words, state)
            elif (snap.epoch, snap.generation) != state:
                snap = snap.refreshed(state)
            self._snapshot = snap
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
        return [tokens.split() for _, _, tokens in self.store.word_rows([report_id])]

    def archive_generation(self) -> Optional[str]:
        """The archive catalogue's generation this index reflects, as last recorded by
        `set_archive_generation` (None: unknown, e.g. after a rebuild not yet followed)."""
        self._require_current()
        return self.store.archive_generation()

    def set_archive_generation(self, generation: str) -> None:
        self._require_current()
        with self.store.writing() as con:
            self.store.set_archive_generation(con, generation)

    def paragraph_count(self) -> int:
        return len(self.snapshot().alive)

    def search(self, query: str, *, town=None, county=None, year=None, section=None,
               report_id=None, kind=None, sort: str = "relevance", page: int = 1,
               per_page: int = 20) -> SearchResult:
        """Search; keyword filters combine (AND) with scopes written in the query, and a blank
        query with filters lists what the filters allow. `year` is an int, a (first, last)
        tuple or "2021-2024"; `report_id` keeps one report's paragraphs; `kind="text"` leaves
        headings out (the web app counts only body paragraphs); per_page=0 returns every hit."""
        if sort not in SORTS:
            raise QueryError(f"不支持的排序“{sort}”：请用 relevance（相关度）、year（年份）或 town（乡镇）")
        if not isinstance(page, int) or page < 1 or not isinstance(per_page, int) or per_page < 0:
            raise QueryError("页码须是从 1 开始的整数，每页条数须是不小于 0 的整数")
        filters = [make_scope(name, value) for name, value in
                   (("town", town), ("county", county), ("year", year), ("section", section))
                   if value not in (None, "")]
        if report_id not in (None, ""):
            filters.append(Scope("report_id", str(report_id)))
        if kind not in (None, ""):
            filters.append(Scope("kind", str(kind)))
        if filters and isinstance(query, str) and not query.strip():
            node = And(tuple(filters))  # browsing: every paragraph the filters allow
        else:
            node = parse(query)
            node = And((node, *filters)) if filters else node
        snap = self.snapshot()
        matches = snap.results.get(node) or snap.results.put(node, self._match(snap, node))
        start = (page - 1) * per_page
        end = start + per_page if per_page else None
        ordered = self._order(snap, matches, sort, end)[start:end]
        hits = self._hits(ordered, matches.exact, matches.terms)
        return SearchResult(query=query, mode=matches.mode, total_paragraphs=len(matches.docs),
                            total_reports=matches.total_reports, hits=hits,
                            facets=matches.facets, trend=matches.trend,
                            page=page, per_page=per_page, sort=sort)

    def _match(self, snap: Snapshot, node) -> _Matches:
        docs = snap.evaluate(node, strict=False)
        found_terms = tuple(dict.fromkeys(terms(node)))
        if not found_terms:          # only scopes: every hit satisfies the query exactly
            exact, mode = docs, "exact"
        elif all(t.kind == "words" for t in found_terms):
            exact, mode = frozenset(), "words"
        else:
            exact = snap.evaluate(node, strict=True) & docs
            mode = "exact" if exact == docs else ("words" if not exact else "mixed")
        per_report = Counter(map(snap.report_id.__getitem__, docs))  # facets from these
        facets = {name: _counts(_sum_by(per_report, snap.meta, i))
                  for i, name in enumerate(("year", "town", "county"))}
        facets["section"] = _counts(Counter(map(snap.part.__getitem__, docs)))
        matching_reports = Counter(snap.report_year[r] for r in per_report)
        trend = {}
        for y, total in sorted(snap.reports_per_year.items()):
            m = matching_reports.get(y, 0)
            trend[y] = {"reports": total, "matching": m, "share": round(m / total, 4)}
        total_reports = len(per_report)
        return _Matches(docs, exact, mode, found_terms, facets, trend, total_reports)

    def _order(self, snap: Snapshot, m: _Matches, sort: str,
               end: Optional[int]) -> list[tuple[int, float]]:
        """(doc number, score) in result order, complete at least up to `end` (None: all)."""
        if sort == "relevance":
            # the exact hits, as far as the page needs them; word-only hits follow below
            scores = m.orders.get("scores")
            if scores is None:
                scores = m.orders["scores"] = self._exact_scores(snap, m)
            want = len(scores) if end is None else min(end, len(scores))
            if sort not in m.orders or len(m.orders[sort]) < want:
                best = zip(map(operator.neg, scores.values()), scores)
                top = heapq.nsmallest(want, best) if want * 8 < len(scores) else sorted(best)
                m.orders[sort] = [(d, -neg) for neg, d in top]
        elif sort not in m.orders:
            def key(d):  # doc numbers follow paragraph order within a report
                rid = snap.report_id[d]
                year, town = snap.meta[rid][:2]
                if sort == "year":
                    return (-(year or 0), rid, d)
                return (town or "\uffff", -(year or 0), rid, d)
            m.orders[sort] = [(d, 0.0) for d in sorted(m.docs, key=key)]
        ordered = m.orders[sort]
        rest = m.docs - m.exact if sort == "relevance" else ()
        if rest and (end is None or end > len(ordered)):
            ordered = ordered + self._word_ranked(snap, m, rest, end and end - len(ordered))
        return ordered

    def _exact_scores(self, snap: Snapshot, m: _Matches) -> dict[int, float]:
        """BM25 over the occurrences of each phrase in the folded text of the exact hits.
        A hit's score for one phrase depends only on (occurrences, length): each distinct
        pair is computed once, and the per-hit work stays in C (`map` over dict lookups)."""
        n = max(len(snap.alive), 1)
        exact = list(m.exact)
        slot, lengths = snap.haystack.slot, snap.haystack.lengths
        length = dict(zip(exact, map(lengths.__getitem__, map(slot.__getitem__, exact))))
        scores: dict[int, float] = {}
        for term in m.terms:
            docs, counts = snap.phrase_hits_within(term.folded, m.exact)
            df = snap.phrase_df(term.folded, m.exact, len(docs))
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            part = _TermScore(idf, snap.avg_len)
            docs = list(docs)
            term_scores = map(part.__getitem__, zip(map(counts.__getitem__, docs),
                                                    map(length.__getitem__, docs)))
            if not scores:
                scores = dict(zip(docs, term_scores))
            else:
                for d, score in zip(docs, term_scores):
                    scores[d] = scores.get(d, 0.0) + score
        return {**dict.fromkeys(exact, 0.0), **scores} if len(scores) < len(exact) else scores

    def _word_ranked(self, snap: Snapshot, m: _Matches, docs: frozenset,
                     limit: Optional[int]) -> list[tuple[int, float]]:
        """BM25F on the word index for the hits that did not match exactly, scored only as
        far as `limit` needs when the best-scored paragraphs are hits (None: all; then the hits
        without any of the words follow)."""
        ranked, complete = m.orders.get("words", ([], False))
        if complete or (limit is not None and len(ranked) >= limit):
            return ranked[:limit]
        words = sorted({w for t in m.terms for w in query_words(t.folded)})
        # Whoosh scores in Python: ask for the top few first (the exact hits may be among
        # them); all of them only if too few of those are in `docs`.
        want = None if limit is None else 2 * limit + len(m.exact)
        while True:
            scored = snap.word_scores(words, want) if words else []
            ranked = [(d, score) for d, score in scored if d in docs]
            if want is None or len(scored) < want or len(ranked) >= limit:
                break
            want = None
        complete = want is None or len(scored) < want
        if complete:
            seen = {d for d, _ in ranked}
            ranked += [(d, 0.0) for d in sorted(docs) if d not in seen]
        m.orders["words"] = (ranked, complete)
        return ranked[:limit]

    def _hits(self, ordered: list[tuple[int, float]], exact: frozenset, found_terms) -> list[Hit]:
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
                highlights=hl, exact=d in exact, score=round(score, 4), kind=kind,
                text_original=original,
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
        source = set(bigrams(snap.folded(d)))
        words = sorted({w for w in query_words(snap.folded(d)) if len(w) > 1})
        if not source or not words:
            return []
        df = self.words.doc_frequencies(words)
        words = sorted(words, key=lambda w: (df.get(w, 0), w))[:SIMILAR_WORDS]
        same_report = snap.report_docs.get(report_id, ())
        candidates = snap.word_scores(words, limit=max(50, limit * 10) + len(same_report))
        scored = []
        for e, _ in candidates:
            if e in snap.alive and snap.report_id[e] != report_id:
                other = set(bigrams(snap.folded(e)))
                sim = len(source & other) / len(source | other) if other else 0.0
                if sim > 0:
                    scored.append((sim, e))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return self._hits([(e, sim) for sim, e in scored[:limit]], frozenset(), ())


class _TermScore(dict):
    """(occurrences, length) → one phrase's BM25 term score, computed on first use."""

    def __init__(self, idf: float, avg_len: float):
        super().__init__()
        self.idf, self.avg_len = idf, avg_len

    def __missing__(self, key: tuple[int, int]) -> float:
        tf, size = key
        score = self[key] = self.idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * size / self.avg_len))
        return score


def _old_index_files(index_dir: Path) -> list[Path]:
    """Files of the Whoosh index earlier versions wrote here (a reindex replaces them)."""
    return sorted(p for p in index_dir.glob("*MAIN*") if p.is_file())


def _sum_by(per_report: Counter, meta: dict, i: int) -> Counter:
    """Paragraph counts per value of the report field `meta[...][i]`."""
    out: Counter = Counter()
    for rid, n in per_report.items():
        out[meta[rid][i]] += n
    return out


def _counts(counts: Counter) -> dict:
    """Counts, most frequent first; empty values (unknown town, no year) are left out."""
    return dict(sorted(((k, v) for k, v in counts.items() if k not in (None, "")),
                       key=lambda kv: (-kv[1], str(kv[0]))))
