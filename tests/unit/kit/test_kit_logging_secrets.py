"""No library writes a request's URL (and so a mailed link's token) into a process's log."""

from __future__ import annotations

import logging

import structlog

from zorgpost_kit.logging import configure_logging


def test_http_client_libraries_log_only_their_warnings() -> None:
    try:
        configure_logging("web", level="INFO")
        for name in ("httpx", "httpcore"):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO)
            assert logging.getLogger(name).isEnabledFor(logging.WARNING)
    finally:
        structlog.reset_defaults()
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.NOTSET)
