"""Scanned report pages made in code, so nothing large is committed: text laid out on A4 the
way an official document is (二号 title, 三号 body in a CJK font, 28 mm margins), then degraded as
a scanner or a phone camera does. Used by bench/ocr.py (CER per condition) and the OCR tests.
"""
from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"   # Debian fonts-wqy-microhei
A4_MM = (210, 297)
MARGIN_MM = (28, 30, 26, 30)   # left, top, right, bottom
_NO_LINE_START = set("，。、；：？！”）》」』,.;:?!)")
CONDITIONS = ("clean", "skew", "blur", "jpeg", "seal", "bleed", "scan")


@dataclass
class Page:
    image: Image.Image
    lines: list[str] = field(default_factory=list)   # the text as printed, line by line
    anchor: tuple[int, int] = (0, 0)   # where a seal goes: the signature, else the last line

    @property
    def text(self) -> str:
        return "".join(self.lines)


def _px(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


def _font(pt: float, dpi: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(FONT, round(pt / 72 * dpi))


def _wrap(text: str, font, width: int, indent: int) -> list[str]:
    """Characters into lines of at most `width` px; punctuation never starts a line."""
    out, line = [], ""
    for ch in text:
        limit = width - (indent if not out else 0)
        if font.getlength(line + ch) > limit and line and ch not in _NO_LINE_START:
            out.append(line)
            line = ""
        line += ch
    if line:
        out.append(line)
    return out


def render(paragraphs: list[str], dpi: int = 200, title: str | None = None,
           signature: list[str] | None = None) -> list[Page]:
    """Lay the text out on as many A4 pages as it needs. A paragraph starting with 一、 or
    （一） is a heading (no indent); `signature` lines are right-aligned after the body."""
    size = (_px(A4_MM[0], dpi), _px(A4_MM[1], dpi))
    left, top, right, bottom = (_px(m, dpi) for m in MARGIN_MM)
    body, head = _font(16, dpi), _font(22, dpi)
    step = round(body.size * 1.75)
    width = size[0] - left - right
    pages: list[Page] = []

    def new_page() -> tuple[Page, ImageDraw.ImageDraw]:
        page = Page(Image.new("RGB", size, "white"))
        pages.append(page)
        return page, ImageDraw.Draw(page.image)

    page, draw = new_page()
    y = top
    if title:
        for line in _wrap(title, head, width, 0):
            draw.text(((size[0] - head.getlength(line)) / 2, y), line, font=head, fill="black")
            page.lines.append(line)
            y += round(head.size * 1.6)
        y += step // 2
    signed: list[tuple[int, int]] = []   # the anchors set by a signature line
    items = [(p, "body") for p in paragraphs] + [(s, "sign") for s in signature or []]
    for n, (text, kind) in enumerate(items):
        if kind == "sign" and items[n - 1][1] != "sign":
            y += step
        indent = 0 if kind == "sign" or text[:2] in ("一、", "二、", "三、", "四、") else 2 * body.size
        for i, line in enumerate(_wrap(text, body, width, indent)):
            if y + step > size[1] - bottom:
                page, draw = new_page()
                y = top
            x = left + (indent if i == 0 else 0)
            if kind == "sign":
                x = size[0] - right - body.getlength(line) - body.size
            draw.text((x, y), line, font=body, fill="black")
            page.lines.append(line)
            if kind == "body" or page.anchor not in signed:
                page.anchor = (round(x + body.getlength(line) / 2), y + body.size // 2)
                if kind == "sign":
                    signed.append(page.anchor)
            y += step
    return pages


# ---------------------------------------------------------------- degrading

def skew(image: Image.Image, degrees: float = 1.5) -> Image.Image:
    return image.rotate(degrees, resample=Image.BICUBIC, expand=False, fillcolor="white")


def blur(image: Image.Image, radius: float = 1.0) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius))


def jpeg(image: Image.Image, quality: int = 25) -> Image.Image:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def seal(image: Image.Image, center: tuple[int, int] | None = None, text: str = "赵集镇人民政府",
         dpi: int = 200) -> Image.Image:
    """A red round seal (ring, star, name around the rim, 42 mm across) pressed over the page
    at `center`, by default over the lower right where a signature is."""
    w, h = image.size
    r = _px(21, dpi)
    cx, cy = center if center and any(center) else (w - _px(60, dpi), h - _px(75, dpi))
    layer = Image.new("RGB", image.size, "white")
    draw = ImageDraw.Draw(layer)
    red = (220, 30, 35)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=max(3, r // 14))
    star = [(cx + r * 0.32 * math.cos(math.radians(-90 + 36 * k)) * (1 if k % 2 == 0 else 0.4),
             cy + r * 0.32 * math.sin(math.radians(-90 + 36 * k)) * (1 if k % 2 == 0 else 0.4))
            for k in range(10)]
    draw.polygon(star, fill=red)
    font = ImageFont.truetype(FONT, round(r * 0.28))
    n = len(text)
    for k, ch in enumerate(text):
        angle = math.radians(-90 - 110 + 220 * (k + 0.5) / n)
        glyph = Image.new("L", (font.size * 2, font.size * 2), 0)
        ImageDraw.Draw(glyph).text((font.size // 2, font.size // 2), ch, font=font, fill=255)
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        x = round(cx + r * 0.72 * math.cos(angle)) - font.size
        y = round(cy + r * 0.72 * math.sin(angle)) - font.size
        layer.paste(Image.new("RGB", glyph.size, red), (x, y), glyph)
    return ImageChops.multiply(image, layer)


def bleed(image: Image.Image, back: Image.Image, strength: float = 0.12) -> Image.Image:
    """The page behind showing through: mirrored and faint."""
    ghost = back.transpose(Image.FLIP_LEFT_RIGHT).convert("L").filter(ImageFilter.GaussianBlur(1.5))
    ghost = ghost.point(lambda v: 255 - round((255 - v) * strength)).convert("RGB")
    return ImageChops.multiply(image, ghost)


def degrade(page: Image.Image, condition: str, back: Image.Image | None = None,
            dpi: int = 200, seal_text: str = "赵集镇人民政府", seed: int = 0,
            anchor: tuple[int, int] | None = None) -> Image.Image:
    """One of CONDITIONS; `scan` is all of them at once (seal at `anchor`, bleed-through, skew,
    blur, JPEG)."""
    rnd = random.Random(seed)
    img = page
    if condition in ("seal", "scan"):
        img = seal(img, center=anchor, text=seal_text, dpi=dpi)
    if condition in ("bleed", "scan") and back is not None:
        img = bleed(img, back)
    if condition in ("skew", "scan"):
        img = skew(img, rnd.choice((-1, 1)) * rnd.uniform(1.0, 2.0))
    if condition in ("blur", "scan"):
        img = blur(img, 0.8 if condition == "scan" else 1.0)
    if condition in ("jpeg", "scan"):
        img = jpeg(img, 30 if condition == "scan" else 25)
    return img


def to_pdf(images: list[Image.Image], dpi: int = 200) -> bytes:
    """An image-only PDF, one page per image (what a scanner hands out)."""
    buf = io.BytesIO()
    first, *rest = [im.convert("RGB") for im in images]
    first.save(buf, "PDF", resolution=dpi, save_all=True, append_images=rest)
    return buf.getvalue()


def cer(truth: str, seen: str) -> float:
    """Character error rate: edit distance / length of the truth, whitespace ignored."""
    a = "".join(truth.split())
    b = "".join(seen.split())
    if not a:
        return float(bool(b))
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] / len(a)


# ---------------------------------------------------------------- a town's report, scanned

TOWN_TITLE = "赵集镇2024年法治政府建设工作情况报告"
TOWN_SIGNATURE = ["赵集镇人民政府", "2025年1月10日"]
TOWN_REPORT = [
    "2024年，赵集镇在县委、县政府的正确领导下，深入学习贯彻习近平法治思想，"
    "全面落实法治政府建设各项任务，现将有关情况报告如下。",
    "一、2024年法治政府建设工作情况",
    "（一）加强组织领导。镇党委书记认真履行推进法治建设第一责任人职责，"
    "全年召开党委会专题研究法治政府建设工作4次，制定年度工作要点，明确责任分工。",
    "（二）推进依法行政。全面落实重大行政决策程序规定，对3项重大行政决策开展合法性审查，"
    "聘请法律顾问参与审核合同28份，行政规范性文件备案审查率达到100%。",
    "（三）化解矛盾纠纷。深化“枫桥式”人民调解工作，全镇调解委员会共排查化解矛盾纠纷156件，"
    "调解成功率98.7%，没有发生因调解不当引发的群体性事件。",
    "（四）开展普法宣传。利用赶集日开展宪法宣传周、民法典宣传月等活动12场，"
    "发放宣传资料6000余份，群众法治意识明显增强。",
    "二、存在的问题",
    "一是部分干部运用法治思维解决问题的能力不足；二是基层执法人员专业水平有待提高；"
    "三是村级法律顾问作用发挥不够充分。",
    "三、2025年工作打算",
    "一是持续加强法治学习培训，提升干部依法办事能力；二是规范行政执法行为，"
    "严格落实行政执法三项制度；三是深化法治乡村建设，打造一批民主法治示范村。",
]


def town_report_pages(dpi: int = 200) -> list[Page]:
    return render(TOWN_REPORT, dpi=dpi, title=TOWN_TITLE, signature=TOWN_SIGNATURE)


def scanned_town_report(condition: str = "scan", dpi: int = 200) -> tuple[bytes, list[Page]]:
    """The town's two-page report as a scanner's image-only PDF: degraded, the seal over the
    signature, each page with the other showing through."""
    pages = town_report_pages(dpi)
    images = [degrade(p.image, condition, back=pages[(i + 1) % len(pages)].image, dpi=dpi,
                      seed=i, anchor=p.anchor) for i, p in enumerate(pages)]
    return to_pdf(images, dpi), pages
