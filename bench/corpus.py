"""Benchmark corpora: the laws collection written out as report files, a synthetic archive
recombined from law paragraphs, the flat paragraph rows every system is measured on, and the
phrase mix picked by measured frequency.

Nothing here imports the project: the importer, archive and index are called by `run.py`, so
these helpers can be tested on tiny inputs and the corpus is prepared the same way whichever
parts of the project exist yet.
"""
from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from index.documents import indexed_paragraphs
from archive.model import Paragraph, Place, Report

DEFAULT_LAWS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "laws.jsonl.gz"

_MARKUP_LINE = re.compile(r"^\s*<!--.*-->\s*$")
_HEADING_HASHES = re.compile(r"^#+\s*")


def load_laws(path: Path) -> Optional[list[dict]]:
    """All law records of the gzipped JSON-lines corpus, or None when the file is absent."""
    if not path.is_file():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def law_lines(law: dict) -> list[str]:
    """The law's text as plain lines: Markdown `#` markers and HTML comments dropped,
    the leading `# title` line dropped (the title is written separately)."""
    lines = [ln.strip() for ln in law["text"].splitlines()]
    lines = [_HEADING_HASHES.sub("", ln) for ln in lines if ln and not _MARKUP_LINE.match(ln)]
    if lines and lines[0] == law["title"].strip():
        lines = lines[1:]
    return lines


def law_to_txt(law: dict) -> str:
    """A law as a report file would arrive: the title line, then the text."""
    return "\n\n".join([law["title"].strip(), *law_lines(law)]) + "\n"


def write_txt_files(laws: Iterable[dict], folder: Path) -> tuple[list[Path], int]:
    """Write each law as `<id>.txt` (UTF-8); return the paths and the total bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, total = [], 0
    for law in laws:
        data = law_to_txt(law).encode("utf-8")
        path = folder / f"law_{law['id']:05d}.txt"
        path.write_bytes(data)
        paths.append(path)
        total += len(data)
    return paths, total


def sample_laws(laws: list[dict], n: int, seed: int = 0) -> list[dict]:
    """A reproducible random subset of n laws (all of them when n >= len(laws))."""
    if n >= len(laws):
        return list(laws)
    return sorted(random.Random(seed).sample(laws, n), key=lambda law: law["id"])


# ---------------------------------------------------------------- synthetic archive

_NAME_CHARS = "东西南北新石桥河山龙马白青黄金平安长永兴和丰清水田林高古柳杨梅花湖塘溪岭"
_TOWN_SUFFIXES = ("镇", "乡", "街道")
_ROMAN = "一二三四五六七八九十"
_PART_HEADINGS = {
    "work": "法治政府建设工作开展情况",
    "problems": "存在的问题和不足",
    "plans": "下一步工作打算",
}


def _names(rng: random.Random, n: int, suffixes: tuple[str, ...]) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        length = rng.choice((2, 2, 3))
        names.add("".join(rng.choice(_NAME_CHARS) for _ in range(length)) + rng.choice(suffixes))
    return sorted(names)


def synthetic_places(n_towns: int, seed: int = 0) -> list[Place]:
    """n_towns distinct towns spread over provinces, cities and counties (20 towns a county)."""
    rng = random.Random(seed)
    towns = _names(rng, n_towns, _TOWN_SUFFIXES)
    rng.shuffle(towns)
    n_counties = max(1, n_towns // 20)
    counties = _names(rng, n_counties, ("县", "区"))
    cities = _names(rng, max(1, n_counties // 5), ("市",))
    provinces = ["江西省", "湖南省", "广东省", "河南省", "四川省"]
    places = []
    for i, town in enumerate(towns):
        c = i % n_counties
        city = c % len(cities)
        places.append(Place(province=provinces[city % len(provinces)], city=cities[city],
                            county=counties[c], town=town))
    return places


def _town_years(rng: random.Random, n: int, years: range) -> list[tuple[int, int]]:
    """n distinct (town index, year) pairs, later years more likely, so the archive grows
    over time the way real collections do (trends must be normalised by it)."""
    n_towns = -(-n * 3 // (2 * len(years)))  # enough towns that 2/3 of the grid is filled
    pairs = [(t, y) for t in range(n_towns) for y in years]
    weight = {y: 1 + i for i, y in enumerate(years)}
    # Weighted sampling without replacement (Efraimidis–Spirakis keys).
    pairs.sort(key=lambda p: rng.random() ** (1 / weight[p[1]]), reverse=True)
    return sorted(pairs[:n])


def synthetic_reports(pool: list[str], n: int, *, seed: int = 0, lines: tuple[int, int] = (2, 4),
                      years: range = range(2015, 2025)) -> Iterator[Report]:
    """n report-shaped `Report`s whose paragraphs are random lines of `pool` (`lines` of them
    joined), with headings, parts and paragraph ids in the archive's scheme and synthetic
    town / year metadata for facets and trends."""
    rng = random.Random(seed)
    pairs = _town_years(rng, n, years)
    places = synthetic_places(max(t for t, _ in pairs) + 1, seed)

    def text() -> str:
        return "".join(rng.choice(pool) for _ in range(rng.randint(*lines)))

    def heading() -> str:
        return re.split(r"[，。；：,;:]", rng.choice(pool))[0][:18]

    for town_i, year in pairs:
        place = places[town_i]
        title = f"{place.town}{year}年法治政府建设工作情况报告"
        paras = [Paragraph("导语.1", "text", 0, "intro", [], text())]
        for n_part, part in enumerate(("work", "problems", "plans")):
            mark = _ROMAN[n_part]
            top = f"{mark}、{_PART_HEADINGS[part]}"
            paras.append(Paragraph(mark, "heading", 1, part, [], top))
            subs = 3 if part == "work" else 1
            for s in range(subs):
                path, base = [top], mark
                if subs > 1:
                    sub = f"（{_ROMAN[s]}）{heading()}"
                    base = f"{mark}.（{_ROMAN[s]}）"
                    paras.append(Paragraph(base, "heading", 2, part, [top], sub))
                    path = [top, sub]
                for k in range(rng.randint(2, 3)):
                    paras.append(Paragraph(f"{base}.{k + 1}", "text", 0, part, path, text()))
        paras.append(Paragraph("落款.1", "text", 0, "closing", [], f"{place.town}人民政府"))
        paras.append(Paragraph("落款.2", "text", 0, "closing", [], f"{year + 1}年3月{rng.randint(1, 28)}日"))
        for p in paras:
            p.text_original = p.text
        yield Report(id=f"{place.town}-{year}", title=title, place=place, year=year,
                     issued=f"{year + 1}-03-01", issuer=f"{place.town}人民政府", paragraphs=paras)


# ---------------------------------------------------------------- paragraphs and phrases

@dataclass(frozen=True)
class Row:
    """One paragraph as every system under test sees it."""
    report_id: str
    paragraph_id: str
    year: Optional[int]
    town: Optional[str]
    part: str
    text: str  # folded (what a phrase must be a substring of)


def paragraph_rows(reports: Iterable[Report], fold: Callable[[str], str]) -> list[Row]:
    """Every stored line of every report the index must find — its title and every paragraph,
    headings included (`index.documents`) —, its text folded the way the index folds it."""
    return [Row(r.id, p.id, r.year, r.place.town, p.part, fold(p.text))
            for r in reports for p in indexed_paragraphs(r)]


def document_frequencies(texts: list[str], n: int, sample: int = 20000,
                         seed: int = 0) -> tuple[Counter, int]:
    """How many of (a sample of) the texts contain each n-gram of Chinese characters."""
    rng = random.Random(seed)
    texts = texts if len(texts) <= sample else rng.sample(texts, sample)
    df: Counter = Counter()
    for t in texts:
        df.update({t[i:i + n] for i in range(len(t) - n + 1)
                   if all("\u4e00" <= ch <= "\u9fff" for ch in t[i:i + n])})
    return df, len(texts)


def pick_phrases(texts: list[str], seed: int = 0) -> dict[str, str]:
    """The phrase mix, chosen by measured document frequency over the folded paragraphs:
    `frequent` — the commonest 2-gram (the brief asks for one in over a quarter of all
    paragraphs; `run.py` reports its measured share), `common` — the commonest 4-gram,
    `medium` — a 4-gram in about 1 % of paragraphs, `rare` — a 6-gram from the middle of a random paragraph found in at most 3 paragraphs."""
    out: dict[str, str] = {}
    df2, n = document_frequencies(texts, 2, seed=seed)
    out["frequent"] = df2.most_common(1)[0][0]
    df4, _ = document_frequencies(texts, 4, seed=seed)
    out["common"] = df4.most_common(1)[0][0]
    medium = sorted(df4.items(), key=lambda kv: (abs(kv[1] / n - 0.01), kv[0]))
    out["medium"] = medium[0][0]
    order = list(range(len(texts)))
    random.Random(seed).shuffle(order)
    for i in order[:300]:
        t = texts[i]
        start = len(t) // 2 - 3
        cand = t[start:start + 6]
        if len(cand) == 6 and all("\u4e00" <= ch <= "\u9fff" for ch in cand) and \
                sum(cand in x for x in texts) <= 3:
            out["rare"] = cand
            break
    return out
