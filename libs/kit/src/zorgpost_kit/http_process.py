"""What the HTTP processes (gateway, web) share at their command line: the container
healthcheck and serving an app with uvicorn.

uvicorn is imported where it is used: only these processes depend on it, not every service
that uses the kit.
"""

from __future__ import annotations

import sys
import urllib.request
from typing import Any, NoReturn


def exit_with_health(http_host: str, http_port: int) -> NoReturn:
    """Exits 0 when ``GET /healthz`` answers 200 (a wildcard bind is asked on 127.0.0.1)."""
    host = "127.0.0.1" if http_host in ("0.0.0.0", "::") else http_host
    try:
        with urllib.request.urlopen(f"http://{host}:{http_port}/healthz", timeout=3) as response:
            sys.exit(0 if response.status == 200 else 1)
    except OSError:
        sys.exit(1)


def serve_http(app: Any, *, host: str, port: int, log_level: str, forwarded_allow_ips: str) -> None:
    """Serves ``app`` until SIGTERM/SIGINT, finishing requests in flight (10 s)."""
    import uvicorn

    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level.lower(),
        proxy_headers=True,
        # Uvicorn's access log prints the raw path, the secrets of mailed links included; the
        # app logs every request itself without them (zorgpost_kit.access_log).
        access_log=False,
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_graceful_shutdown=10,
    )
