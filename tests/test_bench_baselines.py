"""The bench's baselines and measuring helpers on tiny inputs."""
from bench.baselines import BruteForce, Fts5Trigram, JiebaWhoosh, trigram_available
from bench.corpus import Row
from bench.measure import dir_size, latency, peak_rss, percentile
from bench.report import targets, to_markdown

TEXTS = ["赵集镇加强法治政府建设", "推进行政执法公示制度", "法治政府建设成效明显", "培育法律明白人"]
ROWS = [Row("r", str(i), 2024, "赵集镇", "work", t) for i, t in enumerate(TEXTS)]


def test_brute_force_finds_every_substring_occurrence():
    scan = BruteForce(ROWS)
    assert scan.matches("法治政府建设") == [0, 2]
    assert scan.count("执法") == 1
    assert scan.top("法") == (4, [0, 1, 2, 3])


def test_fts5_trigram_matches_the_scan_from_three_characters(tmp_path):
    assert trigram_available()
    fts = Fts5Trigram.build(tmp_path / "p.sqlite", ROWS)
    scan = BruteForce(ROWS)
    for phrase in ("法治政府建设", "法律明白人", "行政执"):
        assert fts.matches(phrase) == scan.matches(phrase)
        assert fts.top(phrase)[0] == scan.count(phrase)
    assert fts.count("执法") == 0  # trigram cannot match a 2-character phrase


def test_jieba_whoosh_index_answers_with_row_numbers(tmp_path):
    jb = JiebaWhoosh.build(tmp_path / "jieba", ROWS)
    try:
        assert jb.matches("赵集镇") == BruteForce(ROWS).matches("赵集镇") == [0]
        total, top = jb.top("法治")
        assert total == len(top) and set(top) <= set(range(len(ROWS)))
    finally:
        jb.close()


def test_percentile_is_nearest_rank():
    samples = [float(x) for x in range(1, 101)]
    assert percentile(samples, 50) == 50.0
    assert percentile(samples, 95) == 95.0
    assert percentile([7.0], 95) == 7.0


def test_latency_keeps_cold_run_apart_and_returns_its_result():
    calls = []
    out = latency(lambda: calls.append(1) or len(calls), repeat=5)
    assert out["result"] == 1 and len(calls) == 6 and out["n"] == 5
    assert out["p50_ms"] <= out["p95_ms"] <= out["max_ms"]


def _allocate(mb: int) -> int:
    block = bytearray(mb * 1024 * 1024)
    return len(block)


def test_peak_rss_measures_a_child_process():
    small, _ = peak_rss(_allocate, 1)
    big, result = peak_rss(_allocate, 200)
    assert result == 200 * 1024 * 1024
    assert big - small > 150


def test_dir_size_sums_files(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 10)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b").write_bytes(b"y" * 5)
    assert dir_size(tmp_path) == 15


def test_targets_pass_miss_and_unmeasured():
    size = {"name": "laws", "reports": 1, "paragraphs": 1, "text_mb": 1.0, "built_by": "x",
            "mb_per_s": 0.5, "freshness_s": 1.0, "rss_mb": 600.0,
            "queries": [{"label": "q", "shown": "q", "ours": {"cold_ms": 1, "p50_ms": 1,
                                                             "p95_ms": 20, "max_ms": 30}}],
            "phrases": {"rare": {"phrase": "甲乙", "share": 0.1, "oracle": 2, "ours": 2,
                                 "ours_recall": 1.0}}}
    results = {"meta": {"date": "d", "cpus": 2, "python": "3"}, "sizes": [size]}
    status = {t["target"]: t["status"] for t in targets(results)}
    assert status["laws corpus import+index throughput"] == "MISS"
    assert status["every query p95 (laws)"] == "PASS"
    assert status["new report findable"] == "PASS"
    assert status["search process peak RSS (laws)"] == "MISS"
    assert status["every page p95"] == "n/a"
    assert status["phrase recall vs scan (laws)"] == "PASS"
    results["targets"] = targets(results)
    md = to_markdown(results)
    assert "| laws corpus import+index throughput | 0.500 MB/s | 1.0 MB/s | MISS |" in md
