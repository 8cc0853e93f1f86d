"""``zorgpost-contacts serve|migrate|healthcheck|seed-demo``."""

from __future__ import annotations

import sys

from contacts.bootstrap import bootstrap
from contacts.config import Settings
from contacts.demo import seed_demo
from zorgpost_kit.runtime import service_main


def main() -> None:
    sys.exit(service_main(Settings, bootstrap, package="contacts", seed_demo=seed_demo))


if __name__ == "__main__":
    main()
