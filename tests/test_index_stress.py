"""Concurrency stress: several threads search one shared `SearchIndex` (as the web server's
threads do) while another thread of the same process AND another process write the index
(that one rebuilding the exact base after each write, so readers switch bases mid-query).
No search may raise, and once the writers are done the shared index — with whatever it cached
across generations — answers exactly as a fresh index over the same reports does."""
import multiprocessing
import sys
import threading
import time

from archive.model import Paragraph, Place, Report
from index import SearchIndex

QUERIES = ['"的"', '"法治"', "section:problems", "违法 -罚款", "监督 管理", '"依法行政"',
           "法治政府", '"调解"', "year:2021-2023 普法", '"镇"']
WORDS = ["法治", "政府", "违法", "罚款", "监督", "管理", "依法行政", "调解", "普法", "宣传",
         "执法", "问题", "整改", "培训", "的", "工作", "开展", "落实"]


def synthetic_report(town: str, year: int, version: int = 0) -> Report:
    """A small report whose text depends on (town, year, version): every rewrite changes
    which phrases it holds."""
    seed = sum(map(ord, town)) * 31 + year * 7 + version * 13
    paragraphs = []
    for n, part in enumerate(("work", "work", "problems", "plans")):
        words = [WORDS[(seed + n * 5 + k * k) % len(WORDS)] for k in range(6 + n)]
        text = f"{town}" + "，".join(words) + "。"
        paragraphs.append(Paragraph(f"一.{n + 1}", "text", 0, part, ["一、工作"], text, text))
    return Report(id=f"{town}-{year}", title=f"{town}{year}年报告",
                  place=Place(town=town, county="压测县"), year=year, paragraphs=paragraphs)


def final_reports() -> dict[str, Report]:
    """What the archive holds after every writer has finished (the last version of each)."""
    reports = {}
    for town, versions in (("甲镇", 3), ("乙镇", 2), ("丙镇", 1)):
        for year in range(2020, 2024):
            reports[f"{town}-{year}"] = synthetic_report(town, year, versions - 1)
    return reports


def _process_writer(index_dir):
    from index import searcher
    searcher.MERGE_MIN = searcher.MERGE_SHARE = 0  # a new exact base after every write
    ix = SearchIndex(index_dir, lock_timeout=60)
    for version in range(2):
        for year in range(2020, 2024):
            ix.update(synthetic_report("乙镇", year, version))


def answers(ix):
    out = {}
    for q in QUERIES:
        result = ix.search(q, per_page=0)
        out[q] = (result.total_paragraphs, result.total_reports, result.facets, result.trend,
                  sorted((h.report_id, h.paragraph_id, h.exact) for h in result.hits))
    return out


def test_searches_stay_correct_while_a_thread_and_a_process_write(tmp_path):
    index_dir = tmp_path / "index"
    shared = SearchIndex(index_dir, lock_timeout=60)
    shared.rebuild([synthetic_report("丙镇", y) for y in range(2020, 2024)])
    errors, searches, stop = [], [], threading.Event()

    def search(k):
        n = 0
        while not stop.is_set():
            try:
                shared.search(QUERIES[(k + n) % len(QUERIES)], per_page=5)
                shared.search(QUERIES[(k * 3 + n) % len(QUERIES)], page=2, per_page=3, sort="year")
                n += 1
            except Exception as exc:  # noqa: BLE001 — any failure is the finding
                errors.append(repr(exc))
        searches.append(n)

    def thread_writer():
        writer = SearchIndex(index_dir, lock_timeout=60)
        for version in range(3):
            for year in range(2020, 2024):
                writer.update(synthetic_report("甲镇", year, version))
                shared.update(synthetic_report("丙镇", year))  # the shared object writes too

    readers = [threading.Thread(target=search, args=(k,)) for k in range(4)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # threads interleave often: races show up in a few seconds
    for t in readers:
        t.start()
    process = multiprocessing.get_context("spawn").Process(target=_process_writer, args=(index_dir,))
    process.start()
    writer = threading.Thread(target=thread_writer)
    writer.start()
    writer.join(120)
    process.join(120)
    time.sleep(0.2)  # the readers see the final generation for a moment
    stop.set()
    for t in readers:
        t.join(60)
    sys.setswitchinterval(switch)
    assert process.exitcode == 0
    assert errors == []
    assert sum(searches) > 0
    fresh = SearchIndex(tmp_path / "fresh")
    fresh.rebuild(final_reports().values())
    assert sorted(shared.report_ids()) == sorted(final_reports())
    assert answers(shared) == answers(fresh)
