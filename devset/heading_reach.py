"""Headings and titles reachable by search (issue 14), before and after: a 6-character piece
from the middle of each sampled heading (and title), searched as a phrase within its report.
Before = body paragraphs only (`kind="text"`, what the pages searched), reachable when a hit lies
in the heading's section; after = every stored line, reachable when the heading itself is a hit.

    .venv/bin/python devset/heading_reach.py DATA_DIR
"""
import random
import sys
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
import workflows
from archive.folding import fold
data = sys.argv[1]
archive = workflows.open_archive(data); index = workflows.open_index(archive)
rng = random.Random(1)
reports = list(archive.reports())
heads = [(r, p) for r in reports for p in r.paragraphs if p.kind == "heading"]
titles = [r for r in reports if r.title and not r.title_derived]
sample = rng.sample(heads, min(300, len(heads)))
before = after = 0
for r, p in sample:
    f = fold(p.text)
    piece = f[len(f)//2 - 3: len(f)//2 + 3] if len(f) >= 6 else f
    # before: body hits only (kind="text"); reachable if a hit lies in the heading's section
    hits = index.search(f'"{piece}"', report_id=r.id, kind="text", per_page=0).hits
    before += any(h.paragraph_id.startswith(p.id + ".") for h in hits)
    hits = index.search(f'"{piece}"', report_id=r.id, per_page=0).hits
    after += any(h.paragraph_id == p.id for h in hits)
tb = ta = 0
for r in rng.sample(titles, min(200, len(titles))):
    f = fold(r.title); piece = f[len(f)//2 - 3: len(f)//2 + 3]
    tb += bool(index.search(f'"{piece}"', report_id=r.id, kind="text", per_page=0).hits)
    ta += any(h.kind == "title" for h in index.search(f'"{piece}"', report_id=r.id, per_page=0).hits)
print(f"{data}: headings {len(heads)}, sampled {len(sample)}: reachable before {before}, after {after}; titles sampled {min(200,len(titles))}: before {tb}, after {ta}")
