"""A long import: a progress bar on a terminal (MB/s, files/s, ETA), one summary line in a log,
and Ctrl-C (SIGINT to a real `archive import`) stops it keeping every file imported so far;
the same command again finishes the job and the index agrees with the archive."""
from __future__ import annotations

import io
import signal
import subprocess
import time

import workflows
from archive import integrity
from bench.crashloop import ROOT, archive_command, disagreements, write_sources
from cli.terminal import progress_bar

FILES = 120


def test_an_import_stopped_by_ctrl_c_keeps_what_it_imported_and_the_next_one_resumes(tmp_path):
    data, src = tmp_path / "data", tmp_path / "src"
    write_sources(src, FILES, 0)
    proc = subprocess.Popen(archive_command(data, "import", str(src)), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reports = data / "reports"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if reports.is_dir() and len(list(reports.glob("*.md"))) >= 3:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    if proc.returncode == 0:  # finished before the signal landed: nothing to resume
        return
    assert proc.returncode == 130, err
    assert "已中断" in err and "再次运行同一命令即可继续" in err and "Traceback" not in err
    archive = workflows.open_archive(data)
    kept = len(archive.ids())
    assert 3 <= kept < FILES
    assert integrity.check(archive) == []

    again = subprocess.run(archive_command(data, "import", str(src)), cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"未变 {kept}" in again.stdout or f"未变 {kept - 1}" in again.stdout
    assert len(workflows.open_archive(data).ids()) == FILES
    assert disagreements(data) == []


def test_without_a_terminal_an_import_ends_with_one_summary_line(tmp_path):
    data, src = tmp_path / "data", tmp_path / "src"
    write_sources(src, 12, 0)
    done = subprocess.run(archive_command(data, "import", str(src)), cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "12 个文件" in lines[0] and "MB/s" in lines[0] and "个/秒" in lines[0]


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_shows_megabytes_per_second_files_and_eta(monkeypatch):
    screen = Tty()
    monkeypatch.setattr("sys.stderr", screen)
    update = progress_bar("导入")
    for done in range(1, 11):
        update(done, 10, done * 2_000_000, 20_000_000)
    shown = screen.getvalue()
    assert "MB/s" in shown or "MB/s]" in shown or "B/s" in shown
    assert "10/10 个文件" in shown and "个/秒" in shown and "导入" in shown
    assert "20.0M" in shown  # bytes, in megabytes, against the total
