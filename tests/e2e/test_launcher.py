"""`make run`'s launcher: starts everything, loads the demo data, and Ctrl-C leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from zorgpost_devstack.postgres import free_port

pytestmark = pytest.mark.slow


def _config(tmp_path: Path) -> Path:
    ports = {name: free_port() for name in ("web", "gateway", "outbox_http", "outbox_smtp", "postgres", "nats")}
    grpc = {name: free_port() for name in ("identity", "messaging", "contacts", "notifications", "portal")}
    config = tmp_path / "launcher.toml"
    config.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[ports]\n'
        + "".join(f"{name} = {port}\n" for name, port in ports.items())
        + "[grpc_ports]\n"
        + "".join(f"{name} = {port}\n" for name, port in grpc.items())
    )
    return config


def _start(config: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZORGPOST_")}
    return subprocess.Popen(
        [sys.executable, "-m", "zorgpost_devstack.launcher", "run", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )


def _wait_for_line(process: subprocess.Popen[str], text: str, timeout: float = 120.0) -> str:
    assert process.stdout is not None
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"launcher never printed {text!r}; output:\n{''.join(seen)}")


def test_launcher_runs_the_demo_and_ctrl_c_stops_every_child(tmp_path: Path) -> None:
    config = _config(tmp_path)
    gateway = int(next(line.split("=")[1] for line in config.read_text().splitlines() if line.startswith("gateway")))
    web = int(next(line.split("=")[1] for line in config.read_text().splitlines() if line.startswith("web")))
    for _run in (1, 2):  # the second start finds the data of the first (demo data is idempotent)
        launcher = _start(config)
        try:
            _wait_for_line(launcher, "Stoppen: Ctrl-C")
            demo_line = _wait_for_line(launcher, "ZorgpostDemo!2026")
            assert "medewerker@vlaardingen.example" in demo_line
            assert f"http://127.0.0.1:{web}" in demo_line, "the site's address is printed"
            children = psutil.Process(launcher.pid).children(recursive=True)
            assert len(children) >= 9  # postgres, nats, outbox, 5 services, gateway, web
            assert httpx.get(f"http://127.0.0.1:{gateway}/readyz", timeout=5).status_code == 200
            login = httpx.post(
                f"http://127.0.0.1:{gateway}/api/v1/auth/login",
                json={"username": "medewerker@vlaardingen.example", "password": "ZorgpostDemo!2026"},
                timeout=10,
            )
            assert login.status_code == 200
            assert httpx.get(f"http://127.0.0.1:{web}/login", timeout=10).status_code == 200
        finally:
            launcher.send_signal(signal.SIGINT)
            assert launcher.wait(60) == 0
        # The launcher has returned; its children may still be on their way out.
        _, alive = psutil.wait_procs(children, timeout=30)
        assert [child.pid for child in alive if child.is_running() and child.status() != psutil.STATUS_ZOMBIE] == []


def test_services_end_themselves_when_the_launcher_is_killed(tmp_path: Path) -> None:
    launcher = _start(_config(tmp_path))
    try:
        _wait_for_line(launcher, "Stoppen: Ctrl-C")
        children = psutil.Process(launcher.pid).children(recursive=True)
        # Zorgpost's own processes (not the PostgreSQL and NATS binaries: see the README).
        ours = [child for child in children if "python" in child.name()]
        assert len(ours) >= 7  # outbox, 5 services, gateway
    finally:
        launcher.kill()
        launcher.wait(10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(
        child.is_running() and child.status() != psutil.STATUS_ZOMBIE for child in ours
    ):
        time.sleep(0.2)
    assert [child.pid for child in ours if child.is_running() and child.status() != psutil.STATUS_ZOMBIE] == []
    for child in children:  # leave nothing behind for the next test
        if child.is_running():
            child.terminate()
