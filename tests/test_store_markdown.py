"""The report file format: lossless round trip, escaping, and hand edits that must still load."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.errors import ArchiveError
from archive.mdfile import from_markdown, normalize_text, read_markdown, to_markdown
from archive.model import (Paragraph, Place, Provenance, Report, Source,
                           heading_paths)
from archive.rules import PARTS


def make_report(paragraphs, script="simplified", **meta) -> Report:
    from archive.mdfile import simplified
    for p in paragraphs:
        p.text = simplified(p.text_original, script)
    for p, path in zip(paragraphs, heading_paths(paragraphs)):
        p.heading_path = path
    defaults = dict(id="赵集镇-2024", title="关于2024年法治政府建设工作情况的报告",
                    place=Place("广东省", "湛江市", "雷州市", "赵集镇"), year=2024,
                    issued="2025-01-03", script=script,
                    source=Source("赵集镇.txt", "ab" * 32, "txt", "gb18030"),
                    flags=["encoding_debris"], provenance={"town": Provenance("body", 0.8)},
                    genre="rule_of_law", level="town",
                    history=[{"sha256": "cd" * 32, "format": "pdf", "path": "old.pdf",
                              "imported_at": "2024-12-01T10:00:00"}])
    defaults.update(meta)
    return Report(paragraphs=paragraphs, **defaults)


SAMPLE = [
    Paragraph("导语.1", "text", 0, "intro", text_original="2024年,赵集镇坚持以习近平法治思想为指引。"),
    Paragraph("一", "heading", 1, "work", text_original="一、赵集镇法治政府建设工作情况"),
    Paragraph("一.（一）", "heading", 2, "work", text_original="（一）加强组织领导，抓好制度建设"),
    Paragraph("一.（一）.1", "text", 0, "work", text_original="#话题 开头的段落"),
    Paragraph("一.（一）.2", "text", 0, "work", text_original="<!-- 不是注释 -->"),
    Paragraph("一.（一）.3", "text", 0, "work", text_original="\\反斜杠开头"),
    Paragraph("落款.1", "text", 0, "closing", text_original="赵集镇人民政府"),
]


def test_round_trip_is_identical():
    report = make_report([Paragraph(**vars(p)) for p in SAMPLE])
    text = to_markdown(report)
    assert from_markdown(text) == report
    assert "<!-- 一.（一） work -->\n### （一）加强组织领导，抓好制度建设" in text
    assert "\\#话题" in text  # escaped, so it does not become a heading


def test_traditional_text_is_derived_from_the_original_script():
    report = make_report([Paragraph("导語.1", "text", 0, "intro", text_original="持續提升依法決策能力")],
                         script="traditional")
    back = from_markdown(to_markdown(report))
    assert back.paragraphs[0].text_original == "持續提升依法決策能力"
    assert back.paragraphs[0].text == "持续提升依法决策能力"


line_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).map(normalize_text)


@st.composite
def paragraphs(draw):
    out = []
    for i in range(draw(st.integers(0, 8))):
        heading = draw(st.booleans())
        out.append(Paragraph(
            id=f"{draw(st.sampled_from(['导语', '一', '一.（六）', '落款']))}.{i}",
            kind="heading" if heading else "text",
            level=draw(st.integers(1, 5)) if heading else 0,
            part=draw(st.sampled_from(PARTS)),
            text_original=draw(line_text)))
    return out


@settings(max_examples=150, deadline=None)
@given(paragraphs(), st.sampled_from(["simplified", "traditional"]),
       st.one_of(st.none(), line_text), line_text)
def test_round_trip_property(paras, script, title, town):
    report = make_report(paras, script=script, title=title, place=Place(town=town or None))
    assert from_markdown(to_markdown(report)) == report


@settings(max_examples=100, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_text_is_stored_as_one_line(raw):
    report = make_report([Paragraph("导语.1", "text", 0, "intro", text_original=raw)])
    back = from_markdown(to_markdown(report))
    assert len(back.paragraphs) == 1
    assert back.paragraphs[0].text_original == normalize_text(raw)
    assert "\n" not in back.paragraphs[0].text_original


def test_line_breaks_inside_a_paragraph_become_spaces():
    assert normalize_text(" 通\n過黨委會\r\n研究\u2028 ") == "通 過黨委會 研究"


def test_hand_edit_without_comment_gets_fresh_unique_id_and_a_note():
    text = to_markdown(make_report([Paragraph(**vars(p)) for p in SAMPLE[:3]]))
    text = text.replace("（一）加强组织领导，抓好制度建设", "（一）加强组织领导")
    text += "\n新加的一段。\n\n另一段。\n\n<!-- 一 work -->\n重复的编号\n"
    report, notes = read_markdown(text)
    ids = [p.id for p in report.paragraphs]
    assert ids == ["导语.1", "一", "一.（一）", "一.（一）+1", "一.（一）+1+1", "一+1"]
    assert report.paragraphs[2].text_original == "（一）加强组织领导"
    assert report.paragraphs[3].part == "work" and report.paragraphs[3].kind == "text"
    assert report.paragraphs[3].heading_path == ["一、赵集镇法治政府建设工作情况", "（一）加强组织领导"]
    assert len(notes) == 3 and "一.（一）+1" in notes[0]


def test_windows_line_endings_and_hand_typed_yaml_dates_load():
    text = ("---\nid: x\nyear: '2024'\nissued: 2020-04-13\nplace: {town: 覃斗镇}\n---\n"
            "<!-- 导语.1 intro -->\n2019年以来\n").replace("\n", "\r\n")
    report = from_markdown(text)
    assert (report.year, report.issued, report.place.town) == (2024, "2020-04-13", "覃斗镇")
    assert report.paragraphs[0].text == "2019年以来"


@pytest.mark.parametrize("text, message", [
    ("没有元数据", "第一行"),
    ("---\ntitle: x\n", "结束行"),
    ("---\ntitle: [x\n---\n", "YAML"),
    ("---\nyear: 二〇二四\n---\n", "year"),
    ("---\n- a\n---\n", "字段"),
    ("---\ntitle: x\n---\n<!-- 一 elsewhere -->\n文字\n", "未知的部分"),
])
def test_broken_files_raise_one_line_archive_errors(text, message):
    with pytest.raises(ArchiveError) as err:
        from_markdown(text)
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("paragraph", [
    Paragraph("一 二", "text", 0, "work", text_original="x"),
    Paragraph("一", "heading", 0, "work", text_original="x"),
    Paragraph("一", "text", 2, "work", text_original="x"),
    Paragraph("一", "text", 0, "nowhere", text_original="x"),
])
def test_paragraphs_the_format_cannot_hold_are_rejected(paragraph):
    with pytest.raises(ValueError):
        to_markdown(make_report([paragraph]))


def test_a_file_written_before_genres_reads_with_its_genre_and_level_derived():
    """Reports stored before genre and level were facts: derived on read from what was stored
    (the genre_doubt note, the town), marked `derived` so a reader knows nobody decided them."""
    old = make_report([Paragraph(**vars(p)) for p in SAMPLE], genre=None, level=None)
    back = from_markdown(to_markdown(old))
    assert (back.genre, back.level) == ("rule_of_law", "town")
    assert back.provenance["genre"].source == "derived"
    work = make_report([], genre=None, level=None, place=Place(), flags=["genre_doubt"],
                       flag_notes={"genre_doubt": "政府工作报告，不是法治政府建设年度报告"})
    assert (from_markdown(to_markdown(work)).genre, from_markdown(to_markdown(work)).level) == ("work_report", None)


def test_genre_evidence_and_both_years_round_trip():
    report = make_report([], genre="work_report", level="province", evidence={"genre": "标题含“政府工作报告”"},
                         years={"covered": 2025, "issued": 2026}, year=2026)
    assert from_markdown(to_markdown(report)) == report


@pytest.mark.parametrize("line,value", [("genre: rule_of_law", "novel"), ("level: town", "village")])
def test_an_unknown_genre_or_level_is_refused_in_one_line(line, value):
    field = line.split(":")[0]
    text = to_markdown(make_report([])).replace(f"\n{line}\n", f"\n{field}: {value}\n", 1)
    assert f"{field}: {value}" in text
    with pytest.raises(ArchiveError, match=field):
        from_markdown(text)
