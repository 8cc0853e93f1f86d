"""``zorgpost-portal serve|migrate|healthcheck``."""

from __future__ import annotations

import sys

from portal.bootstrap import bootstrap
from portal.config import Settings
from zorgpost_kit.runtime import service_main


def main() -> None:
    sys.exit(service_main(Settings, bootstrap, package="portal"))


if __name__ == "__main__":
    main()
