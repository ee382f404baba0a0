"""Two `archive import` processes at once, on overlapping folders, into a data folder that has no
index yet (both create it at the same moment): both finish cleanly and, with nothing else done,
the index holds exactly the archive's reports, paragraph for paragraph."""
from __future__ import annotations

import shutil
import subprocess

import workflows
from bench.crashloop import ROOT, archive_command, disagreements, write_sources


def test_two_importers_on_overlapping_folders_leave_archive_and_index_agreeing(tmp_path):
    data, everything = tmp_path / "data", tmp_path / "all"
    write_sources(everything, 20, 0)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for n, path in enumerate(sorted(everything.iterdir())):
        if n < 14:
            shutil.copy(path, first / path.name)
        if n >= 6:
            shutil.copy(path, second / path.name)
    write_sources(tmp_path / "newer", 20, 1)  # the second also brings newer versions of a few
    for n in (8, 9, 10):
        shutil.copy(tmp_path / "newer" / f"{n:02d}.txt", second / f"{n:02d}.txt")
    procs = [subprocess.Popen(archive_command(data, "import", str(folder)), cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for folder in (first, second)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert p.returncode == 0, err
        assert "检索索引" not in err  # neither "old or damaged" nor "not updated"
    assert disagreements(data) == []
    archive = workflows.open_archive(data)
    assert len(archive.ids()) == 20
    assert not workflows.index_drift(archive, workflows.open_index(archive))
    check = subprocess.run(archive_command(data, "check"), cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
