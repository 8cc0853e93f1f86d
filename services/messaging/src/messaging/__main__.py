"""``zorgpost-messaging serve|migrate|healthcheck``."""

from __future__ import annotations

import sys

from messaging.bootstrap import bootstrap
from messaging.config import Settings
from zorgpost_kit.runtime import service_main


def main() -> None:
    sys.exit(service_main(Settings, bootstrap, package="messaging"))


if __name__ == "__main__":
    main()
