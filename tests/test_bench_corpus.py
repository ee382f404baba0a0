"""The bench's corpus helpers on tiny inputs."""
import gzip
import json
import re
from collections import Counter

from archive.model import heading_paths
from index.documents import indexed_paragraphs
from bench.corpus import (law_to_txt, load_laws, paragraph_rows, pick_phrases, sample_laws,
                          synthetic_reports, write_txt_files)

LAW = {"id": 7, "title": "某某条例",
       "text": "# 某某条例\n\n2020年通过\n\n<!-- INFO END -->\n\n## 第一章  总则\n\n第一条 为了规范。\n"}
ID_RE = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff（）()·_-]{1,80}$")


def test_law_becomes_title_line_then_plain_text():
    assert law_to_txt(LAW) == "某某条例\n\n2020年通过\n\n第一章  总则\n\n第一条 为了规范。\n"


def test_write_txt_files_counts_utf8_bytes(tmp_path):
    paths, total = write_txt_files([LAW], tmp_path)
    assert [p.name for p in paths] == ["law_00007.txt"]
    assert total == len(paths[0].read_bytes()) == len(law_to_txt(LAW).encode("utf-8"))


def test_load_laws_reads_jsonl_gz_and_reports_absence(tmp_path):
    path = tmp_path / "laws.jsonl.gz"
    assert load_laws(path) is None
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(json.dumps(LAW, ensure_ascii=False) + "\n\n")
    assert load_laws(path) == [LAW]


def test_sample_laws_is_reproducible_and_sized():
    laws = [dict(LAW, id=i) for i in range(50)]
    assert sample_laws(laws, 10, seed=3) == sample_laws(laws, 10, seed=3)
    assert len(sample_laws(laws, 10)) == 10
    assert sample_laws(laws, 99) == laws


def test_synthetic_reports_have_valid_unique_ids_and_consistent_structure():
    pool = [f"第{i}条 行政机关应当依法办事，第{i}项规定。" for i in range(40)]
    reports = list(synthetic_reports(pool, 300, seed=1))
    assert len({r.id for r in reports}) == 300
    assert all(ID_RE.match(r.id) for r in reports)
    years = Counter(r.year for r in reports)
    assert set(years) <= set(range(2015, 2025)) and years[2024] > years[2015]
    for r in reports[:20]:
        assert r.id == f"{r.place.town}-{r.year}"
        ids = [p.id for p in r.paragraphs]
        assert len(ids) == len(set(ids))
        assert [p.heading_path for p in r.paragraphs] == heading_paths(r.paragraphs)
        assert {p.part for p in r.paragraphs} == {"intro", "work", "problems", "plans", "closing"}


def test_paragraph_rows_fold_every_stored_line():
    reports = list(synthetic_reports(["甲乙丙丁。"], 3))
    rows = paragraph_rows(reports, lambda s: s.replace("。", ""))
    titled = sum(1 for r in reports if r.title and not r.title_derived)
    assert len(rows) == sum(len(r.paragraphs) for r in reports) + titled
    assert all("。" not in row.text for row in rows)
    first = next(p.id for p in indexed_paragraphs(reports[0]))
    assert rows[0].report_id == reports[0].id and rows[0].paragraph_id == first


def test_pick_phrases_follow_measured_frequencies():
    texts = ["行政执法应当公开"] * 60 + [f"第{i}号文件要求" for i in range(38)] + \
            ["调解委员会", "独一无二的句子在这里出现"]
    phrases = pick_phrases(texts)
    assert phrases["frequent"] in ("行政", "政执", "执法", "法应", "应当", "当公", "公开")
    assert sum(phrases["frequent"] in t for t in texts) == 60
    assert 1 <= sum(phrases["rare"] in t for t in texts) <= 3
    assert phrases["medium"] in "".join(texts)
