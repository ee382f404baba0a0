"""Plain text (.txt/.md) in any encoding Chinese offices use: UTF-8 (±BOM), GB18030/GBK, Big5, UTF-16."""
from __future__ import annotations

import codecs
import re

import charset_normalizer
from opencc import OpenCC

from archive.errors import ImportFailed
from importers.chars import CJK_RE, cjk_only
from importers.document import Line, RawDocument

# Characters frequent in these reports (simplified); their traditional forms are added below.
# A wrong decoding produces rare characters, so the share of these tells right from wrong.
_COMMON_SIMPLIFIED = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反明看原"
    "又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员"
    "革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别手角期根论运农指几九区"
    "强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术"
    "极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗"
    "完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持"
    "音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构"
    "府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火"
    "住调满县局照参红细引听该铁价严龙镇乡村宣传普执督审核考评纠纷调解矛盾依坚落责"
)
_COMMON = set(_COMMON_SIMPLIFIED) | set(OpenCC("s2t").convert(_COMMON_SIMPLIFIED))
_RARE_RUN = re.compile(f"[^{re.escape(''.join(sorted(_COMMON)))}]+")
_MIN_COMMON_SHARE = 0.35  # of the CJK characters; right decodings score ~0.7, wrong ones < 0.2
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def common_share(text: str) -> float:
    """Share of the CJK characters that are common report characters (0 when there are none)."""
    cjk = cjk_only(text[:20000])
    return len(_RARE_RUN.sub("", cjk)) / len(cjk) if cjk else 0.0


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise ImportFailed when no encoding gives sensible Chinese."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name.replace("-sig", "-bom") if name == "utf-8-sig" else name
            except UnicodeDecodeError:
                raise ImportFailed(f"文件以 {name} 标记开头但内容无法按该编码读取：文件可能已损坏") from None
    candidates: list[tuple[str, str]] = []
    for name in ("utf-8", "utf-16-le", "utf-16-be", "gb18030", "big5"):
        if name.startswith("utf-16") and (len(data) % 2 or b"\x00" not in data[:4000]):
            continue
        try:
            candidates.append((data.decode(name), name))
        except UnicodeDecodeError:
            pass
        if name == "utf-8" and candidates:
            break  # strict UTF-8 success is conclusive
    if not candidates:
        best = charset_normalizer.from_bytes(data[:200000]).best()
        if best is not None:
            try:
                candidates.append((data.decode(best.encoding), best.encoding))
            except (UnicodeDecodeError, LookupError):
                pass
    scored = [(common_share(t), -len(_CONTROL_RE.findall(t)), t, n) for t, n in candidates
              if not _CONTROL_RE.search(t[:4000]) or n.startswith("utf-16")]
    scored = [s for s in scored if s[1] > -10]
    if not scored:
        raise ImportFailed("无法识别文件编码（可能不是文本文件）：请用记事本或 WPS 另存为 UTF-8 文本后再导入")
    share, _, text, name = max(scored, key=lambda s: (s[0], s[1]))
    if share < _MIN_COMMON_SHARE and CJK_RE.search(text):
        raise ImportFailed("无法识别文件编码（解码后不是正常的中文）：请另存为 UTF-8 文本后再导入")
    return text, name


def read_text(data: bytes, fmt: str) -> RawDocument:
    text, encoding = decode(data)
    if "\x00" in text or len(_CONTROL_RE.findall(text)) > len(text) // 100:
        raise ImportFailed("文件内容是二进制数据，不是文本：请确认文件格式")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return RawDocument([_markdown_line(s) if fmt == "md" else Line(s) for s in lines], fmt, encoding)


_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s+")


def _markdown_line(line: str) -> Line:
    """Markdown heading marks and emphasis are layout, not words: keep the level as a hint."""
    m = _MD_HEADING_RE.match(line)
    text = (line[m.end():] if m else line).replace("**", "").replace("__", "")
    return Line(text, f"h{len(m.group(1))}" if m else None)
