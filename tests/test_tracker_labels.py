"""The tracker's labelled set (devset/tracker_labels.jsonl) is well-formed: enough items, each
naming its report year, its item by hash and first words, a verdict the measure knows, and for
every positive verdict the sentence that decides it; no extracted text beyond first words."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np

LABELS = Path(__file__).resolve().parents[1] / "devset" / "tracker_labels.jsonl"


def test_the_labels_are_complete_and_carry_no_text():
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 150
    kinds = Counter((r["kind"], r["label"]) for r in rows)
    assert set(kinds) <= {("problem", v) for v in ("repeated", "answered", "none")} | \
        {("plan", v) for v in ("carried_out", "none")}
    for r in rows:
        assert r["next_year"] == r["year"] + 1 and len(r["item_hash"]) == 12
        assert len(r["item_first"]) <= 10 and "text" not in r
        if r["label"] != "none":
            assert r["decider"]["first"] and len(r["decider"]["first"]) <= 12
    assert len({(r["year"], r["item_hash"]) for r in rows}) == len(rows)


def test_the_threshold_search_keeps_the_target_precision():
    from devset.measure_tracker import PRECISION, best_threshold, f1_threshold

    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])
    truth = np.array([True, True, True, False, True, False, False])
    t = best_threshold(scores, truth)
    chosen = scores >= t
    assert (chosen & truth).sum() / chosen.sum() >= PRECISION and t == 0.7
    assert f1_threshold(scores, truth) == 0.5
