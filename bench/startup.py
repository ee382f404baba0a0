"""Cold start of the web app (issue 14): how long after `archive serve` is launched the first
search is answered, and how long the first bare-word search takes once the server accepts
connections. Each run starts a fresh server process on a free port (the OS page cache may
still hold the index files: a restart, not a reboot). Targets: first search within 1.5 s of
start at 1,500 laws, first bare-word search under 300 ms. Besides wall time, which on a
shared, loaded machine mostly measures the queue for the CPU, it reports the CPU seconds
(user + sys) the server process had spent when its first answer arrived: what start-up costs,
whatever the load."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
WORD = "法治"          # a bare word: exact layer, jieba and the word index all answer it
POLL = 0.01
TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
            r.read()
            return r.status
    except (urllib.error.URLError, ConnectionError, OSError):
        return None


def _start(data_dir: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "ARCHIVE_DATA": str(data_dir)}
    env.pop("ARCHIVE_ADMIN_PASSWORD", None)
    return subprocess.Popen([sys.executable, "-m", "archive", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _until(url: str, started: float) -> float:
    while time.perf_counter() - started < TIMEOUT:
        if _get(url) == 200:
            return time.perf_counter() - started
        time.sleep(POLL)
    raise RuntimeError(f"no answer from {url} within {TIMEOUT} s")


def measure_startup(data_dir: Path) -> dict:
    """{"startup_first_search_s", "startup_first_search_cpu_s", "startup_first_word_search_ms",
    "startup_load"}: the first a search polled from launch (wall time, then the server's CPU
    time when it answered); the third a bare-word search sent the moment a static file is
    served (the worst case for a warm-up running in the background)."""
    out = {"startup_load": os.getloadavg()[0]}
    for key in ("first", "word"):
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        search = f"{base}/?q={quote(WORD)}"
        started = time.perf_counter()
        server = _start(data_dir, port)
        try:
            if key == "first":
                out["startup_first_search_s"] = round(_until(search, started), 3)
                out["startup_first_search_cpu_s"] = round(_cpu_seconds(server.pid), 2)
            else:
                _until(f"{base}/static/app.css", started)
                t = time.perf_counter()
                status = _get(search)
                out["startup_first_word_search_ms"] = round(1000 * (time.perf_counter() - t), 1)
                assert status == 200, status
        finally:
            server.terminate()
            server.wait(10)
    return out


if __name__ == "__main__":
    print(measure_startup(Path(sys.argv[1])))
