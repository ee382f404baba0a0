"""The offline installation bundle (`make bundle`) installs with pip's index disabled and serves;
the systemd unit runs `archive serve` as an unprivileged user and restarts it on failure.
Slow (marked `slow`: builds ~40 wheels and a venv), but part of `make test`."""
from __future__ import annotations

import configparser
import json
import os
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(ROOT / "deploy" / "fazhi-archive.service", encoding="utf-8")
    return parser


def test_the_service_runs_archive_serve_unprivileged_and_restarts_on_failure():
    service = unit()["Service"]
    assert service["ExecStart"].startswith("@PREFIX@/.venv/bin/archive serve ")
    assert service["User"] == "@USER@" and service["Restart"] == "on-failure"
    env = dict(setting.split("=", 1) for setting in service["Environment"].split())
    assert service["ReadWritePaths"] == "@DATA@" == env["ARCHIVE_DATA"]
    # the start-up caches (temp files) outlive a restart: a temp folder systemd keeps
    assert env["TMPDIR"] == "/var/cache/" + service["CacheDirectory"]
    assert unit()["Install"]["WantedBy"] == "multi-user.target"
    install = (ROOT / "deploy" / "install.sh").read_text(encoding="utf-8")
    for placeholder in ("@PREFIX@", "@DATA@", "@USER@", "@HOST@", "@PORT@"):  # all filled in
        assert f"s#{placeholder}#" in install


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_the_bundle_installs_without_an_index_and_serves(tmp_path):
    bundle = tmp_path / "fazhi-archive-bundle.tar.gz"
    built = subprocess.run(["sh", "deploy/bundle.sh", sys.executable, str(bundle)], cwd=ROOT,
                           capture_output=True, text=True, timeout=1200)
    assert built.returncode == 0, built.stderr[-2000:]
    with tarfile.open(bundle) as tar:
        tar.extractall(tmp_path / "usb", filter="data")
    unpacked = tmp_path / "usb" / "fazhi-archive-bundle"
    assert "libcairo2" in (unpacked / "DEBIAN-PACKAGES.txt").read_text()

    # pip sees nothing but the bundle: no index, no configured find-links, no config file.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_NO_INDEX="1", PIP_CONFIG_FILE=os.devnull, START="no",
               PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}")
    prefix = tmp_path / "opt"
    done = subprocess.run(["sh", str(unpacked / "install.sh"), str(prefix)], env=env,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "5 份报告" in done.stdout

    archive = prefix / ".venv" / "bin" / "archive"
    port = free_port()
    server = subprocess.Popen([str(archive), "--data", str(prefix / "data"), "serve", "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        health = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    health = (r.status, json.loads(r.read()))
                break
            except OSError:
                time.sleep(0.5)
        assert health is not None and health[0] == 200 and health[1]["reports"] == 5
        query = urllib.request.quote("法治")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/?q={query}", timeout=30) as r:
            assert r.status == 200 and "赵集镇" in r.read().decode("utf-8")
    finally:
        server.terminate()
        server.wait(timeout=30)
