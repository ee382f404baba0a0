"""The query mix and how it is run against our index: quoted phrases picked by frequency,
bare words, and field-scoped queries, each asking for the first page of 20 with facets,
trend and highlights (what the search page shows)."""
from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from bench.corpus import Row

PER_PAGE = 20
DOMAIN_PHRASES = {"domain": "法治政府建设", "domain2": "行政执法"}
BARE_WORDS = ("行政执法", "监督 管理")
SET_CHECK_LIMIT = 5000  # phrases with more oracle hits are checked by count, not hit by hit


def _most_common(values) -> Optional[Any]:
    counted = Counter(v for v in values if v)
    return counted.most_common(1)[0][0] if counted else None


def query_mix(phrases: dict[str, str], rows: list[Row]) -> list[dict]:
    """Every query of the mix: label, kind, query text, keyword filters, and the phrase the
    baselines are asked for (phrase queries only)."""
    mix = [{"label": label, "kind": "phrase", "q": f'"{p}"', "kwargs": {}, "phrase": p}
           for label, p in phrases.items()]
    mix += [{"label": f"bare{i + 1}", "kind": "bare", "q": q, "kwargs": {}, "phrase": None}
            for i, q in enumerate(BARE_WORDS)]
    year = _most_common(r.year for r in rows)
    town = _most_common(r.town for r in rows)
    scoped = []
    if year:
        scoped.append(("year", f'"{phrases["frequent"]}" year:{year}', {}))
        scoped.append(("year-filter", "行政", {"year": year}))
    scoped.append(("section", f'"{phrases["medium"]}" section:problems', {}))
    scoped.append(("section2", f'"{phrases["frequent"]}" section:plans', {}))
    if town:
        scoped.append(("town", f'town:{town} "{phrases["frequent"]}"', {}))
    mix += [{"label": label, "kind": "field", "q": q, "kwargs": kw, "phrase": None}
            for label, q, kw in scoped]
    for item in mix:
        item["shown"] = item["q"] + "".join(f" [{k}={v}]" for k, v in item["kwargs"].items())
    return mix


def drop_caches(index) -> bool:
    """Forget the index's query caches (`Snapshot.forget()`: this generation's results and the
    exact base's remembered phrases), so the next search costs what a query never asked
    before costs. False for an index without them: the bench then reports only the first run
    of each query as uncached."""
    forget = getattr(index.snapshot(), "forget", None)
    if forget is None:
        return False
    forget()
    return True


def search_page(index, item: dict) -> dict:
    """One results page as the search page asks for it; returns the JSON dict."""
    return index.search(item["q"], per_page=PER_PAGE, **item["kwargs"]).to_dict()


def all_hit_keys(index, query: str) -> set[tuple[str, str]]:
    """(report id, paragraph id) of every hit of a query, paging through the results."""
    keys: set[tuple[str, str]] = set()
    page = 1
    while True:
        result = index.search(query, page=page, per_page=200).to_dict()
        hits = result.get("hits") or []
        keys.update((h["report_id"], h["paragraph_id"]) for h in hits)
        if not hits or len(keys) >= int(result.get("total") or 0):
            return keys
        page += 1


def phrase_recall(index, phrase: str, oracle: set[tuple[str, str]]) -> dict:
    """How much of the oracle's answer our index finds for a quoted phrase: hit by hit when
    the answer is small enough to page through, else by comparing the totals."""
    if len(oracle) <= SET_CHECK_LIMIT:
        found = all_hit_keys(index, f'"{phrase}"')
        hit = len(found & oracle)
        return {"ours": len(found), "ours_recall": hit / len(oracle) if oracle else 1.0,
                "ours_precision": hit / len(found) if found else 1.0, "ours_checked": "hits"}
    total = int(search_page(index, {"q": f'"{phrase}"', "kwargs": {}}).get("total") or 0)
    return {"ours": total, "ours_recall": min(total, len(oracle)) / len(oracle),
            "ours_checked": "total"}


def run_mix(index_dir: str, mix: list[dict], repeat: int) -> int:
    """Open the index in this process and run the mix `repeat` times (the peak-memory probe)."""
    from index import SearchIndex

    index = SearchIndex(index_dir)
    for _ in range(repeat):
        for item in mix:
            search_page(index, item)
    return len(mix) * repeat
