"""OCR of page images, offline on the CPU: RapidOCR (PP-OCRv4 detection and recognition on ONNX
Runtime; the models ship inside the rapidocr-onnxruntime wheel). Chosen by measurement over
Tesseract 5 + chi_sim (bench/ocr.py → bench/ocr.md: CER 0–0.2% against 0.6–4.4% on the same
degraded pages).

The engine runs in WORKERS worker processes of one thread each, pages in parallel: one page on
one thread costs ~4 CPU seconds, on two threads ~5.5 (measured), so two pages at once use both
cores better. They start on the first scanned page and stay for the next ones: their ~2 s model
load and ~450 MB each (RSS on A4 pages) stay off every other import and the web server's start,
and they end after IDLE_SECONDS without a page. A page that takes longer than PAGE_TIMEOUT is
given up by ending its worker (the page fails with a message; the document goes on).

Each page is prepared before recognition (`prepare`): reddish pixels become paper (a red seal
vanishes, black ink under it stays), and the contrast is stretched so the faint page behind
(bleed-through) goes white.

Progress: `on_page(callback)` sets what is told "page n of m" as each page is done; by default
a tqdm bar on the terminal (silent when stderr is not a terminal).
"""
from __future__ import annotations

import contextlib
import contextvars
import hashlib
import io
import os
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from archive.errors import ImportFailed

MAX_PAGES = 60                 # scanned pages per document (a long report has ~20)
MAX_PIXELS = 36_000_000        # one page image: A4 at 600 dpi is 35 Mpx
RENDER_DPI = 200               # PDF pages are drawn at this resolution for recognition
MAX_SIDE = 2400                # longer sides are scaled down first (200 dpi A4 is 2339 px)
WORKERS = min(2, os.cpu_count() or 1)   # engine processes, one thread each: pages in parallel
IDLE_SECONDS = 300             # idle engine processes end after this long without a page
PAGE_TIMEOUT = 240.0           # seconds for one page before it is given up (a page needs ~4 s
                               # of CPU; a shared machine at load 13 stretched that to ~60 s)
REDNESS = 40                   # R above the mean of G and B by this much: a seal's ink
LOW_CONFIDENCE = 0.9           # a recognised line below this is marked on the reading page
_CACHE_PAGES = 64              # recognised pages kept, so a previewed upload is not read twice

Progress = Callable[[int, int], None]
_progress: contextvars.ContextVar[Optional[Progress]] = contextvars.ContextVar("ocr_progress",
                                                                               default=None)


@dataclass
class OcrLine:
    text: str
    confidence: float
    box: tuple[float, float, float, float]   # x0, y0, x1, y1 in pixels of the page, deskewed


@dataclass
class OcrPage:
    number: int                              # 1-based, in the document
    width: int = 0
    height: int = 0
    lines: list[OcrLine] = field(default_factory=list)
    error: Optional[str] = None              # why the page gave no text (timeout, damage)
    seconds: float = 0.0                     # wall time, preparing included
    cpu_seconds: float = 0.0                 # the engine's CPU time (0 when cached)


# ---------------------------------------------------------------- preparing a page

def check_size(width: int, height: int, number: int) -> None:
    if width * height > MAX_PIXELS:
        raise ImportFailed(f"第 {number} 页图像过大（{width}×{height} 像素，上限 {MAX_PIXELS // 1_000_000} 百万像素）："
                           "请以 300 dpi 以下重新扫描后再导入")


def prepare(image) -> "numpy.ndarray":  # noqa: F821
    """A grey page (2-D uint8) for the engine: red ink (seals) turned to paper, scaled to
    MAX_SIDE, the contrast stretched so faint bleed-through from the page behind goes white."""
    import numpy as np
    from PIL import Image

    if image.mode != "L":
        rgb = np.asarray(image.convert("RGB"), dtype=np.int16)
        red = rgb[:, :, 0]
        reddish = (red - (rgb[:, :, 1] + rgb[:, :, 2]) // 2 > REDNESS) & (red > 128)  # not ink below
        grey = Image.fromarray(np.where(reddish, 255, red).astype(np.uint8))
    else:
        grey = image
    scale = MAX_SIDE / max(grey.size)
    if scale < 1:
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.LANCZOS)
    a = np.asarray(grey, dtype=np.float32)
    paper = float(np.percentile(a, 90))
    ink = float(np.percentile(a, 1))
    if paper - ink < 40:       # a blank page, or no contrast to stretch
        return np.asarray(grey)
    white = ink + (paper - ink) * 0.7      # the faint page behind sits above this
    return np.clip((a - ink) * 255.0 / max(white - ink, 1.0), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- the worker process

_engine = None


def run_engine(array) -> list[tuple[list, str, float]]:
    """In the worker: the engine on one prepared page, loaded on first use."""
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR
        _engine = RapidOCR(use_cls=False, print_verbose=False, intra_op_num_threads=1,
                           inter_op_num_threads=1)
    result, _ = _engine(array)
    return [([tuple(map(float, pt)) for pt in box], text, float(score))
            for box, text, score in result or []]


def _serve() -> None:
    """`python -m importers.ocr`: pages in on stdin (a line "height width", then the grey
    bytes), one JSON line out per page."""
    import json
    import sys

    import numpy as np

    source, sink = sys.stdin.buffer, sys.stdout
    while header := source.readline():
        height, width = map(int, header.split())
        grey = np.frombuffer(source.read(height * width), np.uint8).reshape(height, width)
        try:
            cpu = time.process_time()
            answer = {"ok": run_engine(np.repeat(grey[:, :, None], 3, axis=2)),
                      "cpu": time.process_time() - cpu}
        except Exception as exc:  # a damaged page: the page fails, the worker lives on
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sink.write(json.dumps(answer, ensure_ascii=False) + "\n")
        sink.flush()


class _Worker:
    """The engine process; `run` sends a page and waits at most `timeout` seconds. A process
    of its own (not multiprocessing), so no caller's __main__ is imported again in it."""

    def __init__(self) -> None:
        import subprocess
        import sys

        self.process = subprocess.Popen([sys.executable, "-m", "importers.ocr"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, grey, timeout: float):
        import json
        import select

        height, width = grey.shape
        self.process.stdin.write(f"{height} {width}\n".encode() + grey.tobytes())
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError
        line = self.process.stdout.readline()
        if not line:
            raise EOFError   # the process ended (killed, out of memory)
        return json.loads(line)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(5)


_idle: "queue.SimpleQueue[_Worker]" = queue.SimpleQueue()
_started = 0
_lock = threading.Lock()
_cache: "OrderedDict[str, list]" = OrderedDict()


def run_page(grey, timeout: float):
    """A prepared page (2-D uint8) on an idle worker (a new one while fewer than WORKERS run):
    the worker's answer; TimeoutError, or EOFError when the worker died. Either way the worker
    is ended."""
    worker = _acquire()
    try:
        answer = worker.run(grey, timeout)
    except TimeoutError:
        _discard(worker)
        raise
    except (EOFError, OSError, ValueError):
        _discard(worker)
        raise EOFError from None
    _idle.put(worker)
    _end_when_idle()
    return answer


_idle_timer: Optional[threading.Timer] = None


def _end_when_idle() -> None:
    """Idle workers end IDLE_SECONDS after the last page (a server keeps no engines for nothing)."""
    global _idle_timer
    with _lock:
        if _idle_timer is not None:
            _idle_timer.cancel()
        _idle_timer = threading.Timer(IDLE_SECONDS, shutdown)
        _idle_timer.daemon = True
        _idle_timer.start()


def _discard(worker: _Worker) -> None:
    global _started
    worker.stop()
    with _lock:
        _started -= 1


def _acquire() -> _Worker:
    """An idle living worker, or a new one while fewer than WORKERS run; else wait for one."""
    global _started
    while True:
        start = False
        with _lock:
            try:
                worker = _idle.get_nowait()
            except queue.Empty:
                worker = None
                start = _started < WORKERS
                if start:
                    _started += 1
        if start:
            return _Worker()
        if worker is None:
            try:   # all busy: wait, looking again now and then (one may have been ended)
                worker = _idle.get(timeout=1)
            except queue.Empty:
                continue
        if worker.alive():
            return worker
        _discard(worker)   # ended while idle (killed, out of memory)


def shutdown() -> None:
    """End the idle workers (tests; at exit they end with their pipes)."""
    global _started
    while True:
        try:
            worker = _idle.get_nowait()
        except queue.Empty:
            return
        worker.stop()
        with _lock:
            _started -= 1


# ---------------------------------------------------------------- reading pages

def recognise(image, number: int = 1, timeout: Optional[float] = None) -> OcrPage:
    """One page image (PIL) → its lines, top to bottom. A timeout or a failure gives a page
    with `error` set and no lines, never an exception."""
    import numpy as np

    page = OcrPage(number, *image.size)
    check_size(image.width, image.height, number)
    start = time.perf_counter()
    grey = np.ascontiguousarray(prepare(image))
    scale = image.width / grey.shape[1]
    key = hashlib.sha256(grey.tobytes()).hexdigest()
    with _lock:
        found = _cache.get(key)
    if found is None:
        try:
            answer = run_page(grey, timeout or PAGE_TIMEOUT)
        except TimeoutError:
            page.error = f"第 {number} 页识别超时（超过 {timeout or PAGE_TIMEOUT:.0f} 秒），已跳过该页"
            return page
        except EOFError:
            page.error = f"第 {number} 页识别时识别进程意外退出（可能内存不足），已跳过该页"
            return page
        if "ok" not in answer:
            page.error = f"第 {number} 页无法识别（{answer['error']}），已跳过该页"
            return page
        found, page.cpu_seconds = answer["ok"], answer["cpu"]
        with _lock:
            _cache[key] = found
            while len(_cache) > _CACHE_PAGES:
                _cache.popitem(last=False)
    page.lines = _lines(found, scale)
    page.seconds = time.perf_counter() - start
    return page


def _lines(found, scale: float) -> list[OcrLine]:
    """Boxes turned back by the page's skew (median slope of the long lines), so indents and
    line ends line up as on the printed page; sorted top to bottom, then left to right."""
    import math
    import statistics

    slopes = [math.atan2(b[1][1] - b[0][1], b[1][0] - b[0][0]) for b, _, _ in found
              if b[1][0] - b[0][0] > 8 * abs(b[3][1] - b[0][1])]
    angle = statistics.median(slopes) if slopes else 0.0
    cos, sin = math.cos(-angle), math.sin(-angle)
    out = []
    for box, text, score in found:
        pts = [(x * cos - y * sin, x * sin + y * cos) for x, y in box]
        xs, ys = [p[0] * scale for p in pts], [p[1] * scale for p in pts]
        out.append(OcrLine(text.strip(), score, (min(xs), min(ys), max(xs), max(ys))))
    out = [ln for ln in out if ln.text]
    out.sort(key=lambda ln: ln.box[1])
    rows: list[list[OcrLine]] = []
    for ln in out:   # pieces of one printed line (a gap split it) side by side
        height = ln.box[3] - ln.box[1]
        if rows and abs(rows[-1][0].box[1] - ln.box[1]) < 0.5 * height:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [_merge(sorted(row, key=lambda ln: ln.box[0])) for row in rows]


def _merge(row: list[OcrLine]) -> OcrLine:
    if len(row) == 1:
        return row[0]
    return OcrLine("".join(ln.text for ln in row), min(ln.confidence for ln in row),
                   (row[0].box[0], min(ln.box[1] for ln in row), row[-1].box[2],
                    max(ln.box[3] for ln in row)))


def recognise_pages(images: Iterable, numbers: list[int]) -> list[OcrPage]:
    """Pages (PIL images, drawn one by one from `images`) recognised WORKERS at a time; the
    progress callback hears of each as it is done. Returned in the order given."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    report = _progress.get() or _terminal_bar(len(numbers))
    results: dict[int, OcrPage] = {}
    with ThreadPoolExecutor(WORKERS) as pool:
        pending = set()
        for n, image in zip(numbers, images):
            pending.add(pool.submit(recognise, image, n))
            while len(pending) >= WORKERS:   # at most WORKERS page images in memory
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    results[f.result().number] = f.result()
                    report(len(results), len(numbers))
        for f in pending:
            results[f.result().number] = f.result()
            report(len(results), len(numbers))
    return [results[n] for n in numbers]


def _terminal_bar(total: int) -> Progress:
    from tqdm import tqdm

    bar = tqdm(total=total, unit="页", desc="OCR", leave=False, disable=None)

    def tell(done: int, of: int) -> None:
        bar.update(done - bar.n)
        if done >= of:
            bar.close()
    return tell


@contextlib.contextmanager
def on_page(callback: Progress):
    """Within this block, OCR progress goes to `callback(done, total)`."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


def open_image(data: bytes):
    """An image file's pages (TIFF may hold many) as PIL images, size checked before decoding."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise ImportFailed(f"图片过大（上限 {MAX_PIXELS // 1_000_000} 百万像素）：请以 300 dpi 以下重新扫描后再导入") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise ImportFailed("图片文件已损坏或格式无法识别：请重新扫描或另存为 PNG/JPEG 后再导入") from None
    if frames > MAX_PAGES:
        raise ImportFailed(f"图片有 {frames} 页，超过上限 {MAX_PAGES} 页：请拆分后再导入")
    pages = []
    for n, frame in enumerate(ImageSequence.Iterator(image), 1):
        check_size(frame.width, frame.height, n)
        try:
            frame.load()
            pages.append(frame.convert("RGB"))
        except (OSError, ValueError, Image.DecompressionBombError):
            raise ImportFailed(f"图片第 {n} 页已损坏，无法读取：请重新扫描后再导入") from None
    return pages


if __name__ == "__main__":
    _serve()
