"""Measure the tracker's matching (`analysis.rectification`) against the labelled items of
devset/tracker_labels.jsonl, and compare matchers.

    .venv/bin/python devset/measure_tracker.py [--json] [--folds 4]

Each label names a problem or plan item of one report (State Council 政府工作报告, year N: its
title year) by the hash of its folded text, and says what report N+1 does with it: repeated
(the problem is stated again), answered (the next report's work or plans address it),
carried_out (the plan shows up in the next report's review of its work) or none. The texts are
read from ../shared/corpora (public domain, never copied into git); without them the script
says so and exits 0.

Matchers, each a score between an item and a sentence of the next report:
- tfidf: today's TF-IDF cosine of jieba words (idf over both reports' items and sentences);
- dice: Dice coefficient of the folded texts' character bigrams;
- lcs: the longest shared folded substring, over the item's length (capped at 30 characters);
- synonyms: idf-weighted overlap of jieba words after folding near-synonyms (仍需/有待, 存在/发展…);
- bm25: BM25 of the item's words over the next report's sentences, over the item's own
  score (so 1.0 is "every word, as often");
- bm25+dice: the mean of the two for each sentence (a sentence good on both counts);
- logistic: a logistic regression over the six (numpy, trained on the other folds).
Thresholds are chosen on the training folds (the best F1 there) and applied to the held-out
fold; folds are whole years, so no year is scored by a threshold it helped choose. "before" is
today's `review_pair` with its fixed thresholds.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis import rectification as rc  # noqa: E402
from analysis.alignment import cosine, tfidf_vectors  # noqa: E402
from archive.folding import fold  # noqa: E402
from importers import read_report  # noqa: E402

LABELS = ROOT / "devset" / "tracker_labels.jsonl"
CORPUS = ROOT.parent / "shared" / "corpora" / "state-council-work-reports-1954-2013.jsonl.gz"
FOOTER = re.compile(r"维基文库|公有领域|著作权法|管辖区")
FEATURES = ("tfidf", "dice", "lcs", "synonyms", "bm25", "bm25+dice")
VERDICTS = ("repeated", "answered", "carried_out", "none")


def item_hash(text: str) -> str:
    return hashlib.sha1(fold(text).encode("utf-8")).hexdigest()[:12]


def bodies() -> dict[int, list[tuple[str, str, str]]]:
    """Title year → the report's body rows (paragraph id, part, text), licence footer dropped."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    out = {}
    for r in rows:
        if r["year"] >= 1997:
            report = read_report(r["text"].encode("utf-8"), f"{r['title']}.txt")
            out[r["year"]] = [(p.id, p.part, p.text) for p in report.paragraphs
                              if p.kind == "text" and not FOOTER.search(p.text)]
    return out


def sentences(rows, parts) -> list[tuple[str, str, str]]:
    return [(pid, part, s) for pid, part, text in rows if part in parts
            for s in rc.sentences(text)]


# --- features -------------------------------------------------------------------------------

def bigrams(text: str) -> set[str]:
    f = fold(text)
    return {f[i:i + 2] for i in range(len(f) - 1)}


def dice(a: set, b: set) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def lcs_ratio(a: str, b: str, cap: int = 30) -> float:
    """Longest common substring of the folded texts over min(len(a), cap)."""
    a, b = fold(a), fold(b)
    if not a or not b:
        return 0.0
    best, prev = 0, [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return min(1.0, best / min(len(a), cap))


class Pool:
    """The words, bigrams and idf of one pair's items and sentences."""

    def __init__(self, texts: list[str]):
        self.words = {t: rc.folded_words(t) for t in texts}
        df = Counter(w for ws in self.words.values() for w in set(ws))
        n = len(texts)
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
        self.grams = {t: bigrams(t) for t in texts}
        vectors = tfidf_vectors([Counter(rc.words(t)) for t in texts])
        self.vectors = dict(zip(texts, vectors))
        self.scorer = rc.BM25(list(self.words.values()))

    def synonyms(self, a: str, b: str) -> float:
        wa, wb = set(self.words[a]), set(self.words[b])
        total = sum(self.idf.get(w, 0) for w in wa)
        return sum(self.idf.get(w, 0) for w in wa & wb) / total if total else 0.0

    def bm25(self, a: str, b: str) -> float:
        return self.scorer.ratio(self.words[a], self.words[b])

    def features(self, a: str, b: str, lcs: bool = True) -> list[float]:
        return [cosine(self.vectors[a], self.vectors[b]), dice(self.grams[a], self.grams[b]),
                lcs_ratio(a, b) if lcs else 0.0, self.synonyms(a, b), self.bm25(a, b)]


def best_features(pool: Pool, item: str, targets: list[str], shortlist: int = 15) -> np.ndarray:
    """Per feature, its best value over the targets (lcs over the `shortlist` best by the rest)."""
    if not targets:
        return np.zeros(len(FEATURES))
    rows = np.array([pool.features(item, t, lcs=False) for t in targets])
    order = np.argsort(-(rows[:, 0] + rows[:, 1] + rows[:, 3] + rows[:, 4]))[:shortlist]
    rows[order, 2] = [lcs_ratio(item, targets[k]) for k in order]
    combined = (rows[:, 4] + rows[:, 1]) / 2          # one sentence good on both counts
    return np.append(rows.max(axis=0), combined.max())


# --- learning and evaluating ------------------------------------------------------------------

def logistic_fit(x: np.ndarray, y: np.ndarray, l2: float = 0.1, steps: int = 3000) -> np.ndarray:
    x = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        w -= 0.5 * (x.T @ (p - y) / len(y) + l2 * np.r_[w[:-1], 0])
    return w


def logistic_score(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(np.hstack([x, np.ones((len(x), 1))]) @ w)))


PRECISION = 0.85   # the target: thresholds keep at least this precision on the training folds


def f1_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The threshold with the best F1 on these scores (ties: the higher threshold)."""
    best, chosen = -1.0, 1.0
    for t in sorted(set(np.round(scores, 4)), reverse=True):
        pred = scores >= t
        tp = (pred & y).sum()
        f1 = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0
        if f1 > best:
            best, chosen = f1, t
    return float(chosen)


def best_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    """The lowest threshold whose precision on these scores reaches PRECISION (the most
    recall at the target precision); when none does, the one with the best F1."""
    best, chosen, reaching = -1.0, 1.0, None
    for t in sorted(set(np.round(scores, 4)), reverse=True):
        pred = scores >= t
        tp = (pred & y).sum()
        if pred.sum() and tp / pred.sum() >= PRECISION:
            reaching = t
        f1 = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0
        if f1 > best:
            best, chosen = f1, t
    return float(reaching if reaching is not None else chosen)


def prf(pred: np.ndarray, y: np.ndarray) -> dict:
    tp = int((pred & y).sum())
    return {"precision": round(tp / pred.sum(), 3) if pred.sum() else None,
            "recall": round(tp / y.sum(), 3) if y.sum() else None, "n": int(y.sum()), "predicted": int(pred.sum())}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--folds", type=int, default=4)
    args = ap.parse_args(argv)
    if not CORPUS.is_file():
        print(f"corpus not found at {CORPUS}: nothing to measure")
        return 0
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = bodies()
    rows, before, after = [], [], []
    for year in sorted({lab["year"] for lab in labels}):
        earlier, later = texts[year], texts[year + 1]
        found = {item_hash(i.text): i for part in ("problems", "plans") for i in rc.items(earlier, part)}
        today = old_verdicts(list(found.values()), later)
        review = rc.review_pair(earlier, later)
        shipped = {item_hash(f.problem.text): f.status for f in review.problems}
        shipped.update({item_hash(f.plan.text): {"done": "carried_out"}.get(f.status, f.status)
                        for f in review.plans})
        pools = {"repeated": [s for _, _, s in sentences(later, ("problems",))]
                 + [s for _, part, s in sentences(later, ("work", "plans", "intro")) if rc.states_problem(s)],
                 "answered": [s for _, _, s in sentences(later, ("work", "plans"))],
                 "carried_out": [s for _, _, s in sentences(later, ("work", "intro"))]}
        pool = Pool(list({t for ts in pools.values() for t in ts} | {i.text for i in found.values()}))
        for lab in (lab for lab in labels if lab["year"] == year):
            item = found.get(lab["item_hash"])
            if item is None:
                continue
            if lab["kind"] == "problem":
                feats = {v: best_features(pool, item.text, pools[v]) for v in ("repeated", "answered")}
            else:
                feats = {"carried_out": best_features(pool, item.text, pools["carried_out"])}
            rows.append({"year": year, "kind": lab["kind"], "label": lab["label"], "features": feats})
            before.append((lab, today.get(lab["item_hash"], "none")))
            after.append((lab, shipped.get(lab["item_hash"], "open")))
    years = sorted({r["year"] for r in rows})
    fold_of = {y: k % args.folds for k, y in enumerate(years)}
    results = {"labelled": len(labels), "found": len(rows), "before": {}, "matchers": {}}
    for verdict in ("repeated", "answered", "carried_out"):
        kind = "plan" if verdict == "carried_out" else "problem"
        y = np.array([b[0]["label"] == verdict for b in before if b[0]["kind"] == kind])
        pred = np.array([b[1] == verdict for b in before if b[0]["kind"] == kind])
        results["before"][verdict] = prf(pred, y)
    results["shipped"] = {}
    for verdict, kind, said in (("repeated", "problem", "repeated"), ("answered", "problem", "answered"),
                                ("carried_out", "plan", "carried_out")):
        pairs = [a for a in after if a[0]["kind"] == kind]
        y = np.array([a[0]["label"] == verdict for a in pairs])
        sure = np.array([a[1] == said for a in pairs])
        band_ = np.array([a[1] == "review" for a in pairs])
        results["shipped"][verdict] = {**prf(sure, y), "review": int(band_.sum()),
                                       "recall_with_review": round(((sure | band_) & y).sum() / y.sum(), 3)}
    for name in FEATURES + ("logistic",):
        results["matchers"][name] = evaluate(rows, name, fold_of, args.folds)
    results["band"] = band(rows, "bm25", fold_of, args.folds)
    results["chosen"] = {v: thresholds(rows, "bm25", v) for v in ("repeated", "answered", "carried_out")}
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        print(f"{results['found']} of {results['labelled']} labelled items found; folds by year: {args.folds}")
        print("before (the tracker before issue 18: TF-IDF against whole paragraphs, fixed thresholds):")
        for v, r in results["before"].items():
            print(f"  {v:12} P {r['precision']}  R {r['recall']}  (n={r['n']}, predicted {r['predicted']})")
        print("shipped (analysis.rectification now, thresholds fitted on all labelled items: in-sample):")
        for v, r in results["shipped"].items():
            print(f"  {v:12} P {r['precision']}  R {r['recall']}  (n={r['n']}, predicted {r['predicted']}); "
                  f"待人工判断 {r['review']}, R counting them {r['recall_with_review']}")
        for name, res in results["matchers"].items():
            print(f"{name}:")
            for v, r in res.items():
                print(f"  {v:12} P {r['precision']}  R {r['recall']}  (n={r['n']}, predicted {r['predicted']},"
                      f" thresholds {r['thresholds']})")
        print("bm25 with a review band (sure ≥ the threshold reaching P 0.85 on the training folds; "
              "待人工判断 between it and the best-F1 threshold):")
        for v, r in results["band"].items():
            print(f"  {v:12} sure: P {r['precision']} R {r['recall']} (predicted {r['predicted']}); "
                  f"band: {r['band']} items, {r['band_positive']} of them {v}; sure or band: R {r['recall_with_band']}")
        print("thresholds on all labelled items (sure, low):", results["chosen"])
    return 0


OLD = {"repeated": 0.45, "answered": 0.28, "carried_out": 0.25}   # the thresholds before issue 18


def old_verdicts(found: list, later) -> dict[str, str]:
    """The tracker before issue 18: TF-IDF cosine of jieba words between an item and the next
    report's whole paragraphs (enumerations split), fixed thresholds."""
    targets = {part: [(t, rc.words(t)) for pid, p, text in later if p == part for t in rc.split_items(text)]
               for part in ("problems", "plans", "work")}
    bags = [Counter(rc.words(i.text)) for i in found] + [Counter(w) for ts in targets.values() for _, w in ts]
    vectors = tfidf_vectors(bags)
    own = dict(zip((i.text for i in found), vectors))
    rest = vectors[len(found):]
    at = 0
    pooled = {}
    for part in ("problems", "plans", "work"):
        pooled[part] = rest[at:at + len(targets[part])]
        at += len(targets[part])

    def best(text, parts):
        return max((cosine(own[text], v) for part in parts for v in pooled[part]), default=0.0)
    out = {}
    for i in found:
        if i.part == "problems":
            out[item_hash(i.text)] = ("repeated" if best(i.text, ("problems",)) >= OLD["repeated"] else
                                      "answered" if best(i.text, ("plans", "work")) >= OLD["answered"] else "none")
        else:
            out[item_hash(i.text)] = "carried_out" if best(i.text, ("work",)) >= OLD["carried_out"] else "none"
    return out


def thresholds(rows, name: str, verdict: str) -> tuple[float, float]:
    """(sure, low) thresholds of one feature on every labelled item of the verdict's kind."""
    kind = "plan" if verdict == "carried_out" else "problem"
    data = [r for r in rows if r["kind"] == kind and (verdict != "answered" or r["label"] != "repeated")]
    x = np.array([r["features"][verdict][FEATURES.index(name)] for r in data])
    y = np.array([r["label"] == verdict for r in data])
    return best_threshold(x, y), min(best_threshold(x, y), f1_threshold(x, y))


def band(rows, name: str, fold_of: dict, folds: int) -> dict:
    """Held-out: verdicts at or above the sure threshold, a review band down to the low one."""
    out = {}
    col = FEATURES.index(name)
    for verdict in ("repeated", "answered", "carried_out"):
        kind = "plan" if verdict == "carried_out" else "problem"
        data = [r for r in rows if r["kind"] == kind]
        sure, in_band, gold = [], [], []
        for k in range(folds):
            train = [r for r in data if fold_of[r["year"]] != k]
            test = [r for r in data if fold_of[r["year"]] == k]
            if not test or not train:
                continue
            hi, lo = thresholds(train, name, verdict)
            x = np.array([r["features"][verdict][col] for r in test])
            keep = np.ones(len(test), dtype=bool)
            if verdict == "answered":
                rhi, _ = thresholds(train, name, "repeated")
                keep = np.array([r["features"]["repeated"][col] for r in test]) < rhi
            sure += list((x >= hi) & keep)
            in_band += list((x >= lo) & (x < hi) & keep)
            gold += [r["label"] == verdict for r in test]
        sure, in_band, gold = np.array(sure), np.array(in_band), np.array(gold)
        out[verdict] = {**prf(sure, gold), "band": int(in_band.sum()), "band_positive": int((in_band & gold).sum()),
                        "recall_with_band": round(((sure | in_band) & gold).sum() / gold.sum(), 3)}
    return out


def evaluate(rows, name: str, fold_of: dict, folds: int) -> dict:
    """Held-out P/R per verdict for one matcher; `answered` is decided after `repeated`."""
    out = {}
    col = FEATURES.index(name) if name in FEATURES else None

    def scores(subset, verdict, train):
        x = np.array([r["features"][verdict] for r in subset])
        if col is not None:
            return x[:, col]
        yt = np.array([r["label"] == verdict for r in train])
        w = logistic_fit(np.array([r["features"][verdict] for r in train]), yt.astype(float))
        return logistic_score(w, x)

    for verdict in ("repeated", "answered", "carried_out"):
        kind = "plan" if verdict == "carried_out" else "problem"
        data = [r for r in rows if r["kind"] == kind]
        pred, gold, thresholds = [], [], []
        for k in range(folds):
            train = [r for r in data if fold_of[r["year"]] != k]
            test = [r for r in data if fold_of[r["year"]] == k]
            if not test or not train:
                continue
            if verdict == "answered":   # among items not repeated (by label, in training)
                train = [r for r in train if r["label"] != "repeated"]
            t = best_threshold(scores(train, verdict, train), np.array([r["label"] == verdict for r in train]))
            thresholds.append(round(t, 3))
            s = scores(test, verdict, train) >= t
            if verdict == "answered":
                rep_train = [r for r in data if fold_of[r["year"]] != k]
                t_rep = best_threshold(scores(rep_train, "repeated", rep_train),
                                       np.array([r["label"] == "repeated" for r in rep_train]))
                s &= ~(scores(test, "repeated", rep_train) >= t_rep)
            pred += list(s)
            gold += [r["label"] == verdict for r in test]
        out[verdict] = {**prf(np.array(pred), np.array(gold)), "thresholds": thresholds}
    return out


if __name__ == "__main__":
    raise SystemExit(main())
