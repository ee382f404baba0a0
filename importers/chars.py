"""Character classes shared by the readers, cleaning rules, metadata and sectioning."""
import re

CJK = "\u3400-\u9fff\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK}]")
# Full-width punctuation that sits between Chinese characters without spaces.
FW_PUNCT = "，。、；：？！“”‘’（）《》〈〉【】〔〕—…·「」『』"
# A line that ends with one of these finishes a sentence (or a heading / label with a colon).
SENTENCE_END = "。！？；：:!?…"
CLOSERS = "”’）)》」』】"


def cjk_count(text: str) -> int:
    return len(CJK_RE.findall(text))


def ends_sentence(text: str) -> bool:
    """True when the text ends a sentence, ignoring closing quotes and brackets."""
    stripped = text.rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END
