"""``zorgpost-identity serve|migrate|healthcheck|seed-demo`` and the operator's
``organisations create|list|rename|deactivate|supervise|unsupervise``."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from identity.bootstrap import bootstrap
from identity.config import Settings
from identity.demo import seed_demo
from identity.entrypoints import cli
from zorgpost_kit.logging import configure_logging
from zorgpost_kit.runtime import service_main


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    # The kit's command line has a fixed set of commands; the operator's own is ours.
    if args[:1] == [cli.COMMAND]:
        settings = Settings()
        configure_logging("identity", level=settings.log_level, json=settings.log_json)
        sys.exit(cli.main(args[1:], settings, sys.stdout, sys.stderr))
    sys.exit(service_main(Settings, bootstrap, package="identity", seed_demo=seed_demo, argv=args))


if __name__ == "__main__":
    main()
