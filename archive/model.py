"""The one value type that flows from the importers to the pages: `Report` and its `Paragraph`s;
and what the archive answers about reports: `Summary` (for listings) and `ImportResult`.

Everything here is plain data. `to_dict()` gives the JSON shape printed by `archive show --json`
and served by `/api/report/<id>`; `from_dict()` reverses it exactly.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

SCRIPTS = ("simplified", "traditional")
# Where a metadata value came from.
SOURCES = ("title", "body", "signature", "metadata", "filename", "override", "derived", "gazetteer")
# Metadata fields whose provenance is recorded and that `archive set` may override.
META_FIELDS = (
    "title", "province", "city", "county", "town", "year", "issued",
    "addressee", "issuer", "doc_number", "genre", "level",
)
PLACE_FIELDS = ("province", "city", "county", "town")
# Flags that come with a one-line reason in Report.flag_notes; `archive review` lists them.
NOTED_FLAGS = ("place_ambiguous", "genre_doubt", "level_doubt")
# A noted flag staff checked and dismissed (`archive set ID reviewed=genre_doubt`) is replaced by
# its checked form: the report leaves the review list but still says what it is.
CHECKED_FLAGS = {"place_ambiguous": "place_checked", "genre_doubt": "genre_checked",
                 "level_doubt": "level_checked"}


@dataclass
class Place:
    province: Optional[str] = None
    city: Optional[str] = None
    county: Optional[str] = None  # county, district or county-level city
    town: Optional[str] = None    # 镇 / 乡 / 民族乡 / 街道 / 街道办事处


@dataclass
class Source:
    path: str = ""          # the file name as imported (no directories of the importing machine)
    sha256: str = ""        # of the original bytes, which the archive keeps unchanged
    format: str = ""        # txt | md | html | docx | pdf | doc
    encoding: Optional[str] = None  # detected text encoding (txt/md/html), else None


@dataclass
class Provenance:
    source: str             # one of SOURCES
    confidence: float       # 0..1; below 0.6 counts as low for `archive review`


@dataclass
class LogEntry:
    """One change the cleaner made: which rule, the text before and after."""
    rule: str
    before: str
    after: str


@dataclass
class Paragraph:
    id: str                 # stable, human-readable: "一.（六）.2", "导语.1", "落款.1"
    kind: str               # heading | text
    level: int              # heading depth 1.. (一、=1, （一）=2, 1.=3, （1）=4, ①=5); text: 0
    part: str               # one of archive.rules.PARTS
    heading_path: list[str] = field(default_factory=list)  # texts of the enclosing headings
    text: str = ""          # cleaned, simplified (what search uses)
    text_original: str = "" # cleaned, in the script as written (what the reading page shows)
    # Recognised from a scan (OCR) only: the page of the original it starts on, its lowest line
    # confidence (0..1), and the [start, end) spans of text_original read from lines below
    # importers.ocr.LOW_CONFIDENCE, which the reading page marks.
    page: Optional[int] = None
    confidence: Optional[float] = None
    weak: list[list[int]] = field(default_factory=list)


@dataclass
class Report:
    id: str = ""            # assigned by the archive store; "" until stored
    title: Optional[str] = None
    title_derived: bool = False
    place: Place = field(default_factory=Place)
    year: Optional[int] = None      # the year the report covers (not the signature year)
    issued: Optional[str] = None    # ISO date "2020-04-13" (or "2020-04" / "2020" when partial)
    addressee: Optional[str] = None
    issuer: Optional[str] = None
    doc_number: Optional[str] = None  # 文号, e.g. 雷东府〔2025〕26号
    script: str = "simplified"
    source: Source = field(default_factory=Source)
    flags: list[str] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    log: list[LogEntry] = field(default_factory=list)
    # Earlier originals of this report (sha256 + format + imported_at), newest last.
    history: list[dict[str, Any]] = field(default_factory=list)
    level: Optional[str] = None     # one of archive.rules.LEVELS: who reports (None: the text does not say)
    genre: Optional[str] = None     # one of archive.rules.GENRES: what kind of document it is
    # Why the importer decided genre, level and year ({"genre": "标题含“政府工作报告”"}); their
    # confidence is in `provenance`.
    evidence: dict[str, str] = field(default_factory=dict)
    # Both years where they differ: {"covered": the year reviewed, "issued": the year it was
    # delivered or issued}. `year` is the one the report is known by (a 政府工作报告's year of
    # delivery, a 法治政府建设 report's year covered).
    years: dict[str, int] = field(default_factory=dict)
    # A flag's one-line reason for the reviewer ({"genre_doubt": "县级报告…"}); `archive review`
    # lists every flag that has one.
    flag_notes: dict[str, str] = field(default_factory=dict)
    # The gazetteer's namesakes when the place is ambiguous (flag place_ambiguous): each
    # {province, city, county, town} with the levels it has, for the reviewer to pick from.
    place_candidates: list[dict[str, str]] = field(default_factory=list)
    # Paragraph ids a re-reading of the original retired (their text is gone): never given to
    # another paragraph of this report, so an old citation never points at different words.
    retired_ids: list[str] = field(default_factory=list)
    # Where a retired id's words are now ({retired id: paragraph id}): the paragraph that holds
    # most of them after the re-reading (archive.carryover), so an old citation opens there.
    moved_ids: dict[str, str] = field(default_factory=dict)
    # Mean line confidence (0..1, by characters) of the text recognised from a scan (flag `ocr`).
    ocr_confidence: Optional[float] = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Report":
        d = dict(d)
        d["place"] = Place(**(d.get("place") or {}))
        d["source"] = Source(**(d.get("source") or {}))
        d["paragraphs"] = [Paragraph(**p) for p in d.get("paragraphs") or []]
        d["provenance"] = {k: Provenance(**v) for k, v in (d.get("provenance") or {}).items()}
        d["log"] = [LogEntry(**e) for e in d.get("log") or []]
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in known})

    def paragraph(self, paragraph_id: str) -> Optional[Paragraph]:
        return next((p for p in self.paragraphs if p.id == paragraph_id), None)

    def meta(self, name: str) -> Any:
        """A metadata field by its flat name (place fields included)."""
        return getattr(self.place, name) if name in PLACE_FIELDS else getattr(self, name)

    @property
    def reviewed(self) -> list[str]:
        """The noted flags staff checked and dismissed (see CHECKED_FLAGS)."""
        return [flag for flag, checked in CHECKED_FLAGS.items() if checked in self.flags]

    def flag_note(self, flag: str) -> Optional[str]:
        """A flag's one-line reason; a checked flag keeps the reason of the flag it dismissed."""
        noted = next((f for f, checked in CHECKED_FLAGS.items() if checked == flag), flag)
        return self.flag_notes.get(noted)


def derived_title(place: Optional[str], year: Optional[int]) -> str:
    """The title given to a report that has none (flag `title_derived`): from the place that
    reports (its town, or its county… by `Report.level`) and its year, so it is derived again
    when staff correct either."""
    return f"{place or ''}{year or ''}{'年' if year else ''}法治政府建设工作情况报告"


def heading_paths(paragraphs: list[Paragraph]) -> list[list[str]]:
    """The heading path of each paragraph, derived from the order and levels of the headings.

    A heading's path holds its ancestors (not itself); a text paragraph's path holds every
    heading above it. Both the sectioner and the Markdown reader use this, so a stored report
    round-trips to the same paths.
    """
    stack: list[tuple[int, str]] = []
    out: list[list[str]] = []
    for p in paragraphs:
        if p.kind == "heading":
            while stack and stack[-1][0] >= p.level:
                stack.pop()
            out.append([t for _, t in stack])
            stack.append((p.level, p.text))
        else:
            out.append([t for _, t in stack] if p.part not in ("intro", "closing") else [])
    return out


@dataclass
class ImportResult:
    """What became of one file given to `Archive.import_bytes` / `import_file`."""
    path: str
    status: str                      # imported | updated | unchanged | failed
    report_id: Optional[str] = None
    error: Optional[str] = None      # one line, when failed
    report: Optional[Report] = None  # the stored report, when imported or updated
    generation: Optional[int] = None  # the catalogue generation number its write made

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "report_id": self.report_id,
                "error": self.error}


@dataclass(frozen=True)
class Summary:
    """What listing and browsing pages need of a report, without reading its paragraphs."""
    id: str
    title: Optional[str]
    title_derived: bool
    place: Place
    year: Optional[int]
    issued: Optional[str]
    script: str
    n_paragraphs: int
    flags: tuple[str, ...]
    genre: Optional[str] = None
    level: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["flags"] = list(self.flags)
        return d
