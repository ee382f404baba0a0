"""Caps on what a PDF can make pdfminer hold in memory, checked while it reads.

pdfminer decodes each stream whole (FlateDecode through `zlib.decompress`, LZW, RunLength) and
keeps it; it parses page contents and object streams into Python objects (~15× their size);
and it builds an object per character and per line drawn on a page. So a 100 KB PDF could
demand gigabytes. Here every decoding step stops at a per-stream cap, all decoded streams of
one document share a budget, and a page may hold only so many characters; paths and images,
which never become text, are not kept at all. Exceeding a cap is an `ImportFailed`.

The decoders are swapped inside `pdfminer.pdftypes` once, at import; outside `limits()` a
stream still gets the per-stream caps.
"""
from __future__ import annotations

import contextlib
import contextvars
import io
import re
import zlib

from pdfminer import pdftypes
from pdfminer.converter import PDFPageAggregator
from pdfminer.lzw import LZWDecoder

from archive.errors import ImportFailed

# pdfminer parses a page's contents at ~12× their size in memory, and object syntax (objects in
# the file or in an object stream) at ~55× (measured: a 4 MB array → 300 MB), hence the caps.
MAX_STREAM_BYTES = 8 << 20          # one decoded stream pdfminer parses (contents, CMaps)
MAX_OBJECT_STREAM_BYTES = 2 << 20   # one decoded object stream (/Type /ObjStm)
MAX_OBJECT_BYTES = 1 << 20          # one object's syntax in the file, outside stream data
MAX_BINARY_STREAM_BYTES = 32 << 20  # one embedded font or image, kept as bytes
MAX_DECODED_BYTES = 96 << 20        # all decoded streams of one document (pdfminer caches them)
MAX_PAGE_CHARS = 20_000             # a dense A4 page of small print holds ~5,000
MAX_PAGE_FIGURES = 2_000            # forms and images drawn on one page
MAX_OBJECTS = 200_000               # indirect objects in the file (reports: a few thousand)
_STEP = 1 << 20

_BINARY_SUBTYPES = {"Image", "Type1C", "CIDFontType0C", "OpenType"}
_stream_cap: contextvars.ContextVar[int] = contextvars.ContextVar("pdf_stream_cap",
                                                                  default=MAX_BINARY_STREAM_BYTES)
_budget: contextvars.ContextVar[list | None] = contextvars.ContextVar("pdf_budget", default=None)


def _too_large(what: str, limit: str):
    raise ImportFailed(f"PDF 中{what}（超过 {limit}），不像一份报告（可能是恶意构造的文件）："
                       "请另存为 .docx 或 .txt 后再导入")


def _grew(size: int) -> None:
    cap = _stream_cap.get()
    if size > cap:
        _too_large("有数据流解压后过大", f"{cap >> 20} MB")


def inflate(data: bytes) -> bytes:
    """FlateDecode in steps, stopping at the stream cap. A damaged stream gives what decoded
    before the damage (pdfminer would retry it byte by byte, quadratic in the output)."""
    d = zlib.decompressobj()
    out, size, tail = [], 0, data
    try:
        while True:
            piece = d.decompress(tail, _STEP)
            size += len(piece)
            _grew(size)
            out.append(piece)
            tail = d.unconsumed_tail
            if d.eof or not (piece or tail):
                break
    except zlib.error:
        pass
    return b"".join(out)


def lzw_decode(data: bytes) -> bytes:
    out, size = [], 0
    for piece in LZWDecoder(io.BytesIO(data)).run():
        size += len(piece)
        _grew(size)
        out.append(piece)
    return b"".join(out)


def runlength_decode(data: bytes) -> bytes:
    """RunLengthDecode (PDF 1.7 §7.4.5): a length byte < 128 copies that many + 1 bytes, > 128
    repeats the next byte 257 − n times, 128 ends."""
    out = bytearray()
    i = 0
    while i < len(data) and data[i] != 128:
        n = data[i]
        if n < 128:
            out += data[i + 1:i + 2 + n]
            i += n + 2
        else:
            out += data[i + 1:i + 2] * (257 - n)
            i += 2
        _grew(len(out))
    return bytes(out)


class _BoundedZlib:
    """What `pdfminer.pdftypes` uses of `zlib`."""
    error = zlib.error
    decompressobj = staticmethod(zlib.decompressobj)
    decompress = staticmethod(inflate)


_original_decode = pdftypes.PDFStream.decode


def _decode(self) -> None:
    """PDFStream.decode under the caps: the stream's own, and the document's budget."""
    binary = str(getattr(self.attrs.get("Subtype"), "name", "")) in _BINARY_SUBTYPES or any(
        k in self.attrs for k in ("Length1", "Length2", "Length3"))
    objects = str(getattr(self.attrs.get("Type"), "name", "")) == "ObjStm"
    cap = (MAX_BINARY_STREAM_BYTES if binary else
           MAX_OBJECT_STREAM_BYTES if objects else MAX_STREAM_BYTES)
    budget = _budget.get()
    if budget is not None:
        cap = min(cap, budget[0])
    token = _stream_cap.set(cap)
    try:
        _original_decode(self)
        _grew(len(self.data or b""))  # an unfiltered stream is its raw bytes
    finally:
        _stream_cap.reset(token)
    if budget is not None:
        budget[0] -= len(self.data or b"")


pdftypes.zlib = _BoundedZlib
pdftypes.lzwdecode = lzw_decode
pdftypes.rldecode = runlength_decode
pdftypes.PDFStream.decode = _decode


_MARKS = re.compile(rb"\bobj\b|\bendobj\b|\bstream\r?\n|\bendstream\b")


def largest_object(data: bytes) -> int:
    """The longest run of object syntax in the file (from `obj` to `endobj` or `stream`, or
    from `endstream` to `endobj`), stream data skipped: what pdfminer would parse in one go."""
    largest, start, pos = 0, None, 0
    while m := _MARKS.search(data, pos):
        pos = m.end()
        if m.group() == b"obj":
            start = pos
            continue
        if start is not None:
            largest = max(largest, m.start() - start)
        start = None
        if m.group().startswith(b"stream"):
            end = data.find(b"endstream", pos)
            if end < 0:
                break
            start = pos = end + len(b"endstream")
    return largest


@contextlib.contextmanager
def limits(data: bytes):
    """Read one PDF under the caps; refuse at once a file with too many or too large objects."""
    objects = data.count(b"endobj")
    if objects > MAX_OBJECTS:
        _too_large(f"对象过多（{objects} 个）", f"{MAX_OBJECTS} 个")
    if largest_object(data) > MAX_OBJECT_BYTES:
        _too_large("有对象过大", f"{MAX_OBJECT_BYTES >> 20} MB")
    token = _budget.set([MAX_DECODED_BYTES])
    try:
        yield
    finally:
        _budget.reset(token)


class TextAggregator(PDFPageAggregator):
    """Lays out a page's characters only, at most MAX_PAGE_CHARS of them."""

    def begin_page(self, page, ctm) -> None:
        self._chars = self._figures = 0
        super().begin_page(page, ctm)

    def render_char(self, *args, **kwargs) -> float:
        self._chars += 1
        if self._chars > MAX_PAGE_CHARS:
            _too_large("有一页的字符多得异常", f"{MAX_PAGE_CHARS} 个")
        return super().render_char(*args, **kwargs)

    def begin_figure(self, *args, **kwargs) -> None:
        self._figures += 1
        if self._figures > MAX_PAGE_FIGURES:
            _too_large("有一页的图形对象过多", f"{MAX_PAGE_FIGURES} 个")
        super().begin_figure(*args, **kwargs)

    def paint_path(self, *args, **kwargs) -> None:
        pass  # lines and shapes never become text

    def render_image(self, *args, **kwargs) -> None:
        pass
