"""What the commands show on a terminal besides their output."""
from __future__ import annotations

import sys
import time
from typing import Callable, Optional


def progress_bar(label: str) -> Optional[Callable[..., None]]:
    """A progress bar on a terminal (more than one item), else None. Called as
    `update(done, total)`, or `update(files done, files, bytes done, bytes)` by an import: then
    the bar counts megabytes (rate, ETA) and shows files and files per second beside it."""
    if not sys.stderr.isatty():
        return None
    bar = None
    started = time.monotonic()

    def update(done: int, total: int, nbytes: Optional[int] = None,
               total_bytes: Optional[int] = None) -> None:
        nonlocal bar
        by_bytes = total_bytes is not None
        if bar is None and total > 1:
            from tqdm import tqdm
            tqdm.monitor_interval = 0  # no monitor thread: an import forks its workers
            if by_bytes:
                bar = tqdm(total=total_bytes, unit="B", unit_scale=True, unit_divisor=1000,
                           desc=label, file=sys.stderr, dynamic_ncols=True)
            else:
                bar = tqdm(total=total, unit="份", desc=label, file=sys.stderr)
        if bar is None:
            return
        if by_bytes:
            rate = done / max(time.monotonic() - started, 1e-9)
            bar.set_postfix_str(f"{done}/{total} 个文件, {rate:.1f} 个/秒", refresh=False)
            bar.update(nbytes - bar.n)
        else:
            bar.update(done - bar.n)
        if done == total:
            bar.close()
    return update


def summary_line(files: int, nbytes: int, seconds: float) -> str:
    """One line for a log (no terminal): how much an import read and how fast."""
    seconds = max(seconds, 1e-9)
    return (f"用时 {seconds:.1f} 秒: {files} 个文件, {nbytes / 1e6:.1f} MB, "
            f"{files / seconds:.1f} 个/秒, {nbytes / 1e6 / seconds:.2f} MB/s")
