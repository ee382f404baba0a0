"""What the commands show on a terminal besides their output."""
from __future__ import annotations

import sys
from typing import Callable, Optional


def progress_bar(label: str) -> Optional[Callable[[int, int], None]]:
    """A progress bar on a terminal (more than one item), else None."""
    if not sys.stderr.isatty():
        return None
    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total > 1:
            from tqdm import tqdm
            bar = tqdm(total=total, unit="份", desc=label, file=sys.stderr)
        if bar is not None:
            bar.update(done - bar.n)
            if done == total:
                bar.close()
    return update
