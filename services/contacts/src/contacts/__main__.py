"""``zorgpost-contacts serve|migrate|healthcheck``."""

from __future__ import annotations

import sys

from contacts.bootstrap import bootstrap
from contacts.config import Settings
from zorgpost_kit.runtime import service_main


def main() -> None:
    sys.exit(service_main(Settings, bootstrap, package="contacts"))


if __name__ == "__main__":
    main()
