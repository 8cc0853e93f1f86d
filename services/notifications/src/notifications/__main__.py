"""``zorgpost-notifications serve|migrate|healthcheck``."""

from __future__ import annotations

import sys

from notifications.bootstrap import bootstrap
from notifications.config import Settings
from zorgpost_kit.runtime import service_main


def main() -> None:
    sys.exit(service_main(Settings, bootstrap, package="notifications"))


if __name__ == "__main__":
    main()
