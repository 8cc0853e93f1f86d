"""``zorgpost-identity serve|migrate|healthcheck|seed-demo``."""

from __future__ import annotations

import sys

from identity.bootstrap import bootstrap
from identity.config import Settings
from identity.demo import seed_demo
from zorgpost_kit.runtime import service_main


def main() -> None:
    sys.exit(service_main(Settings, bootstrap, package="identity", seed_demo=seed_demo))


if __name__ == "__main__":
    main()
