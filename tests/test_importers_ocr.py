"""Scans through OCR: a sealed, skewed, blurred two-page report; image files; mixed PDFs; a
garbage text layer; limits and timeouts; the OCR noise rules and the page/confidence marks."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

import workflows
from archive.errors import ImportFailed
from archive.mdfile import canonical
from archive.model import Paragraph, Report
from bench import scans
from helpers import brute_force, keys
from importers import ocr, read_report, scanmarks
from importers.readers.scan import garbled, tidy
from importers.sniff import detect_format


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def stored(scanned_data_dir):
    archive = workflows.open_archive(scanned_data_dir)
    (rid,) = archive.ids()
    return archive.get(rid), workflows.open_index(archive)


def test_scanned_report_imports_with_town_year_title_and_parts(stored):
    report, _ = stored
    assert report.place.town == "赵集镇" and report.year == 2024
    assert report.title == scans.TOWN_TITLE and report.source.format == "pdf"
    parts = {p.text_original: p.part for p in report.paragraphs if p.kind == "heading"}
    assert parts["一、2024年法治政府建设工作情况"] == "work"
    assert parts["二、存在的问题"] == "problems" and parts["三、2025年工作打算"] == "plans"
    assert "（三）化解矛盾纠纷" in parts
    closing = [p.text_original for p in report.paragraphs if p.part == "closing"]
    assert closing == scans.TOWN_SIGNATURE       # the seal over it is gone
    assert report.issuer == "赵集镇人民政府" and report.issued == "2025-01-10"


def test_scanned_report_is_flagged_with_pages_and_confidence(stored):
    report, _ = stored
    assert "ocr" in report.flags and 0.9 < report.ocr_confidence <= 1
    assert all(p.page in (1, 2) and 0 < p.confidence <= 1 for p in report.paragraphs)
    assert {p.page for p in report.paragraphs if p.part == "closing"} == {2}
    assert report.paragraphs[0].page == 1


def test_recognised_text_is_the_printed_text(stored):
    report, _ = stored
    text = "".join(p.text_original for p in report.paragraphs if p.part != "closing")
    printed = scans.TOWN_TITLE + "".join(scans.TOWN_REPORT)
    assert scans.cer(printed, scans.TOWN_TITLE + text) <= 0.03


@pytest.mark.parametrize("phrase", ["枫桥式", "民主法治示范村", "行政执法三项制度", "合法性审查"])
def test_phrases_of_the_scan_are_found_as_the_oracle_finds_them(stored, phrase):
    report, index = stored
    expected = brute_force([report], phrase)
    assert expected, phrase       # the OCR read it (else the oracle and the index agree on nothing)
    assert keys(index.search(f'"{phrase}"', per_page=100)) == expected


def test_every_stored_phrase_is_found_as_the_oracle_finds_it(stored):
    """Recall on recognised text equals the brute-force scan's on the same stored text: OCR
    errors are the OCR's, never the index's. Windows of 2–6 characters along every paragraph."""
    report, index = stored
    phrases = {p.text[i:i + n] for p in report.paragraphs for n in (2, 4, 6)
               for i in range(0, max(1, len(p.text) - n), 9)}
    phrases = sorted(ph for ph in phrases if re.fullmatch(r"[\u4e00-\u9fff0-9A-Za-z]+", ph))
    assert len(phrases) > 100
    for phrase in phrases:
        assert keys(index.search(f'"{phrase}"', per_page=0)) == brute_force([report], phrase), phrase


def test_stored_file_round_trips_the_scan_marks(stored):
    report, _ = stored
    again, _ = canonical(report)
    assert [(p.page, p.confidence, p.weak) for p in again.paragraphs] == \
        [(p.page, p.confidence, p.weak) for p in report.paragraphs]
    assert again.ocr_confidence == report.ocr_confidence


def test_image_file_is_read_telling_progress_by_page(tmp_path):
    page = scans.town_report_pages(dpi=150)[1]
    told = []
    with ocr.on_page(lambda done, total: told.append((done, total))):
        report = read_report(_png(scans.degrade(page.image, "seal", anchor=page.anchor, dpi=150)),
                             "落款页.png")
    assert told == [(1, 1)]
    assert report.source.format == "image" and "ocr" in report.flags
    assert [p.text_original for p in report.paragraphs if p.part == "closing"] == scans.TOWN_SIGNATURE


def _pdf_with_pages(*pages) -> bytes:
    """Pages: ("text", lines) drawn as a text layer, ("image", PIL image), ("garbage", image)
    an image under a text layer of mojibake."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for kind, content in pages:
        if kind == "text":
            c.setFont("STSong-Light", 14)
            for i, line in enumerate(content):
                c.drawString(80, 760 - 26 * i, line)
        else:
            c.drawImage(ImageReader(content), 0, 0, *A4)
            if kind == "garbage":
                c.setFont("Helvetica", 12)
                c.drawString(80, 700, "ÕÔ¼¯ÕòÈËÃñÕþ¸® ·¨ÖÎÕþ¸®½¨Éè¹¤×÷Çé¿ö±¨¸æ")
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def back_page():
    pages = scans.town_report_pages(dpi=150)
    return scans.degrade(pages[1].image, "scan", anchor=pages[1].anchor, dpi=150)


def test_mixed_pdf_keeps_the_text_layer_and_recognises_the_scanned_page(back_page):
    first = [scans.TOWN_TITLE, "2024年，赵集镇全面落实法治政府建设各项任务。",
             "一、2024年法治政府建设工作情况", "（一）加强组织领导，明确责任分工。"]
    report = read_report(_pdf_with_pages(("text", first), ("image", back_page)), "混合.pdf")
    by_text = {p.text_original: p for p in report.paragraphs}
    assert by_text["2024年，赵集镇全面落实法治政府建设各项任务。"].page is None  # text layer
    assert by_text["赵集镇人民政府"].page == 2 and by_text["赵集镇人民政府"].confidence > 0.5
    assert "ocr" in report.flags


def test_garbage_text_layer_is_recognised_and_logged(back_page):
    first = [scans.TOWN_TITLE, "2024年，赵集镇全面落实法治政府建设各项任务，依法行政水平明显提高。"]
    report = read_report(_pdf_with_pages(("text", first), ("garbage", back_page)), "乱码.pdf")
    assert any(e.rule == "ocr" and "乱码" in e.before for e in report.log)
    assert "ÕÔ" not in "".join(p.text_original for p in report.paragraphs)
    assert "赵集镇人民政府" in [p.text_original for p in report.paragraphs]


def test_a_page_that_times_out_fails_alone(monkeypatch, back_page):
    """A two-page TIFF whose second page (another size) never finishes: the first is read, the
    second is logged as skipped, the import goes on."""
    pages = scans.town_report_pages(dpi=150)
    slow = back_page.resize((back_page.width // 2 * 2 - 20, back_page.height))
    buf = io.BytesIO()
    pages[0].image.save(buf, "TIFF", save_all=True, append_images=[slow])
    real = ocr.run_page

    def stuck(grey, timeout):
        if grey.shape[1] == ocr.prepare(slow).shape[1]:
            raise TimeoutError
        return real(grey, timeout)

    monkeypatch.setattr(ocr, "run_page", stuck)
    report = read_report(buf.getvalue(), "两页.tif")
    assert report.place.town == "赵集镇" and report.title == scans.TOWN_TITLE
    assert any(e.rule == "ocr" and "第 2 页识别超时" in e.after for e in report.log)


def test_timeout_ends_the_worker_and_the_next_page_is_read():
    page = scans.town_report_pages(dpi=150)[1]
    slow = ocr.recognise(page.image.rotate(180), 3, timeout=0.001)
    assert slow.error and "第 3 页识别超时" in slow.error and not slow.lines
    fine = ocr.recognise(page.image, 1)
    assert fine.error is None and "赵集镇人民政府" in [ln.text for ln in fine.lines]


def test_page_and_pixel_limits_have_one_line_messages(monkeypatch, scanned_pdf):
    monkeypatch.setattr(ocr, "MAX_PAGES", 1)
    with pytest.raises(ImportFailed, match="2 页扫描页，超过上限 1 页"):
        read_report(scanned_pdf, "扫描.pdf")
    monkeypatch.setattr(ocr, "MAX_PIXELS", 10_000)
    with pytest.raises(ImportFailed, match="第 1 页图像过大（200×100 像素"):
        read_report(_png(Image.new("RGB", (200, 100), "white")), "大图.png")


def test_damaged_or_blank_images_fail_with_one_line():
    with pytest.raises(ImportFailed, match="图片文件已损坏"):
        read_report(b"\x89PNG\r\n\x1a\n" + bytes(500), "坏.png")
    with pytest.raises(ImportFailed, match="没有识别出文字"):
        read_report(_png(Image.new("RGB", (600, 800), "white")), "空白.png")


def test_image_types_are_sniffed():
    png = _png(Image.new("RGB", (10, 10)))
    assert detect_format(png, "a.png") == "image" and detect_format(png, "a.JPG") == "image"
    with pytest.raises(ImportFailed, match="GIF/BMP"):
        detect_format(b"GIF89a" + bytes(100), "a.gif.png")
    with pytest.raises(ImportFailed, match="不是图片"):
        detect_format("赵集镇法治政府建设".encode(), "a.png")


def test_prepare_turns_a_seal_to_paper_and_keeps_black_ink():
    image = Image.new("RGB", (100, 100), "white")
    image.paste((220, 30, 35), (0, 0, 50, 100))      # seal red
    image.paste((0, 0, 0), (45, 40, 55, 60))          # ink, partly under the seal
    image.paste((225, 225, 225), (70, 0, 100, 100))   # the page behind, showing through
    grey = ocr.prepare(image)
    assert grey[10, 10] == 255 and grey[50, 47] == 0 and grey[50, 52] == 0 and grey[10, 80] == 255


@pytest.mark.parametrize("seen, fixed", [
    ("明确责任分工.", "明确责任分工。"), ("增长8.7%.下一步", "增长8.7%。下一步"),
    ("法治 政府 建设", "法治政府建设"), ("是否到位?", "是否到位？"), ("GDP 33.5万亿", "GDP 33.5万亿"),
    ("增长14。7 %，", "增长14.7%，"), ("增长6．4%", "增长6.4%"),
])
def test_ocr_punctuation_and_spacing_noise(seen, fixed):
    assert tidy(seen) == fixed


def test_garbage_text_layers_are_told_from_text():
    assert garbled("ÕÔ¼¯ÕòÈËÃñÕþ¸®·¨ÖÎÕþ¸®")
    assert garbled("\ue001\ue002\ue003\ue004\ue005\ue006\ue007\ue008\ue009\ue00a")
    assert not garbled("赵集镇人民政府2024年法治政府建设工作情况报告 café")


def test_marks_follow_paragraphs_through_cleaning():
    report = Report(paragraphs=[
        Paragraph("一", "heading", 1, "work", text_original="一、工作情况"),
        Paragraph("一.1", "text", 0, "work", text_original="加强组织领导，明确责任分工。召开会议4次。"),
    ])
    scanned = [("一、工作情况", 1, 0.99), ("加强组织领导,明确责任", 1, 0.97),
               ("分工.召开会议4次.", 2, 0.6)]
    scanmarks.mark(report, scanned, low=0.9)
    heading, text = report.paragraphs
    assert (heading.page, heading.confidence, heading.weak) == (1, 0.99, [])
    assert (text.page, text.confidence) == (1, 0.6)
    (start, end), = text.weak
    assert text.text_original[start:end] == "分工。召开会议4次"
    assert report.flags == ["ocr"] and 0.6 < report.ocr_confidence < 0.99


def test_an_oversized_image_inside_a_pdf_is_refused_before_drawing(monkeypatch, back_page):
    monkeypatch.setattr(ocr, "MAX_PIXELS", 1_000_000)
    data = _pdf_with_pages(("image", back_page))
    with pytest.raises(ImportFailed, match="第 1 页图像过大"):
        read_report(data, "巨图.pdf")


def test_dead_workers_are_replaced_and_a_death_mid_page_fails_that_page(monkeypatch):
    import psutil

    page = scans.town_report_pages(dpi=150)[1]
    assert ocr.recognise(page.image.crop((0, 0, 1240, 600)), 1).error is None
    for child in psutil.Process().children():     # the engine processes, killed while idle
        if "importers.ocr" in " ".join(child.cmdline()):
            child.kill()
            child.wait()
    again = ocr.recognise(page.image.crop((0, 0, 1240, 700)), 2)
    assert again.error is None and "赵集镇人民政府" in [ln.text for ln in again.lines]

    def dies(grey, timeout):
        raise EOFError

    monkeypatch.setattr(ocr, "run_page", dies)
    dead = ocr.recognise(page.image.crop((0, 0, 1240, 800)), 3)
    assert "第 3 页识别时识别进程意外退出" in dead.error and not dead.lines
