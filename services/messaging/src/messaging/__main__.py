"""``zorgpost-messaging serve|migrate|healthcheck|seed-demo``."""

from __future__ import annotations

import sys

from messaging.bootstrap import bootstrap
from messaging.config import Settings
from messaging.demo import seed_demo
from zorgpost_kit.runtime import service_main


def main() -> None:
    sys.exit(service_main(Settings, bootstrap, package="messaging", seed_demo=seed_demo))


if __name__ == "__main__":
    main()
