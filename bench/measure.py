"""Timing and size helpers: latency percentiles with the cold (first) run kept apart,
directory sizes, and the peak RSS of work done in a fresh child process."""
from __future__ import annotations

import math
import multiprocessing
import time
from pathlib import Path
from typing import Any, Callable


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(milliseconds, result) of one call."""
    t0 = time.perf_counter()
    result = fn()
    return (time.perf_counter() - t0) * 1000, result


def latency(fn: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Call fn once cold, then `repeat` times warm: cold / p50 / p95 / max in ms, and the
    result of the cold call (so the caller can check what was answered)."""
    cold, result = timed(fn)
    warm = [timed(fn)[0] for _ in range(repeat)]
    return {"cold_ms": round(cold, 2), "p50_ms": round(percentile(warm, 50), 2),
            "p95_ms": round(percentile(warm, 95), 2), "max_ms": round(max(warm), 2),
            "n": repeat, "result": result}


def dir_size(path: Path) -> int:
    """Total bytes of the files under path."""
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def _high_water_mb() -> float:
    """Peak resident set of this process's memory image. VmHWM (Linux) is reset by exec,
    unlike getrusage's ru_maxrss, which a spawned child inherits from the parent it forked."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss_child(fn: Callable[..., Any], args: tuple, queue) -> None:
    try:
        result = fn(*args)
        error = None
    except Exception as exc:  # reported to the parent, which prints it in the results
        result, error = None, f"{type(exc).__name__}: {exc}"
    queue.put((_high_water_mb(), result, error))


def peak_rss(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Run fn(*args) in a fresh (spawned) process; return (peak RSS in MB, fn's result).
    fn and its arguments must be picklable (a module-level function)."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_peak_rss_child, args=(fn, args, queue))
    proc.start()
    peak_mb, result, error = queue.get()
    proc.join()
    if error:
        raise RuntimeError(error)
    return round(peak_mb, 1), result
