"""``zorgpost-portal serve|migrate|healthcheck|seed-demo``."""

from __future__ import annotations

import sys

from portal.bootstrap import bootstrap
from portal.config import Settings
from portal.demo import seed_demo
from zorgpost_kit.runtime import service_main


def main() -> None:
    sys.exit(service_main(Settings, bootstrap, package="portal", seed_demo=seed_demo))


if __name__ == "__main__":
    main()
