"""The operator's commands: ``zorgpost-identity organisations create | list | rename |
deactivate | supervise | unsupervise``.

They work on identity's database directly (no running service needed, no token): a
running identity publishes their events (the first administrator's invitation mail among
them) within a second. In Docker Compose: ``docker compose run --rm identity organisations
...``. Every command is idempotent; none takes a secret (the administrator chooses their
password through the invitation link). Exit status 0 done, 1 refused (the reason on
stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Sequence
from typing import Any, TextIO

from identity.adapters.events import event_codec
from identity.adapters.unit_of_work import IdentityUnitOfWork
from identity.config import Settings
from identity.domain.accounts import Organisation, OrganisationKind
from identity.domain.policy import PasswordPreset, SecondFactor
from identity.service.organisations import Organisations, check_onboarding
from zorgpost_kit.db import create_engine, create_session_factory
from zorgpost_kit.errors import DomainError

COMMAND = "organisations"
#: The option a refused field came from (the use cases name fields as the API does).
_OPTIONS = {"administrator_email": "--admin-email", "password_preset": "--password-preset"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"zorgpost-identity {COMMAND}",
        description="Onboard and manage organisations (operator only; works on identity's database).",
    )
    commands = parser.add_subparsers(dest="action", required=True)
    create = commands.add_parser(
        "create",
        help="create an organisation and invite its first administrator (idempotent)",
        description=(
            "Creates the organisation unless one of that name and kind exists, and mails its first "
            "administrator an invitation to set a password and a second factor (again only when the "
            "earlier invitation no longer works)."
        ),
    )
    create.add_argument("--name", required=True, help="the display name every notice of the organisation shows")
    create.add_argument("--kind", required=True, choices=[kind.value for kind in OrganisationKind])
    create.add_argument(
        "--password-preset",
        default=PasswordPreset.ASVS.value,
        choices=[preset.value for preset in PasswordPreset],
        help="the security policy's password rules (default: asvs)",
    )
    create.add_argument(
        "--second-factor",
        default=SecondFactor.NONE.value,
        choices=[factor.value for factor in SecondFactor],
        help="the second factor every login needs (administrators always need one)",
    )
    create.add_argument("--admin-email", required=True, help="the first administrator's e-mail address")
    create.add_argument("--language", default="nl", choices=["nl", "en"], help="language of the invitation")
    create.add_argument("--json", action="store_true", help="answer as JSON")
    listing = commands.add_parser("list", help="every organisation: id, kind, status, name")
    listing.add_argument("--json", action="store_true", help="answer as JSON")
    rename = commands.add_parser("rename", help="give an organisation another display name")
    rename.add_argument("organisation", help="its id or current name")
    rename.add_argument("--name", required=True)
    deactivate = commands.add_parser(
        "deactivate", help="end the access of every staff member of an organisation (its history stays)"
    )
    deactivate.add_argument("organisation", help="its id or name")
    supervise = commands.add_parser(
        "supervise", help="link a government department to an organisation it supervises, in themes"
    )
    supervise.add_argument("department", help="the department's id or name")
    supervise.add_argument("organisation", help="the supervised organisation's id or name")
    supervise.add_argument(
        "--theme", dest="themes", action="append", required=True, help="a theme code (repeat for more)"
    )
    unsupervise = commands.add_parser("unsupervise", help="end a supervision link")
    unsupervise.add_argument("department")
    unsupervise.add_argument("organisation")
    return parser


def _line(organisation: Organisation) -> str:
    return "\t".join([organisation.id, organisation.kind.value, organisation.status.value, organisation.name])


def _as_json(organisation: Organisation) -> dict[str, Any]:
    return {
        "id": organisation.id,
        "name": organisation.name,
        "kind": organisation.kind.value,
        "status": organisation.status.value,
    }


async def run(args: argparse.Namespace, organisations: Organisations, out: TextIO, err: TextIO) -> int:
    """Runs one parsed command; returns the exit status (0 done, 1 refused)."""
    try:
        return await _run(args, organisations, out, err)
    except DomainError as error:
        print(f"refused: {error.message}", file=err)
        for field, problem in error.fields.items():
            print(f"  {_OPTIONS.get(field, '--' + field.replace('_', '-'))}: {problem}", file=err)
        return 1


async def _run(args: argparse.Namespace, organisations: Organisations, out: TextIO, err: TextIO) -> int:
    if args.action == "create":
        request = check_onboarding(
            name=args.name,
            kind=args.kind,
            password_preset=args.password_preset,
            second_factor=args.second_factor,
            administrator_email=args.admin_email,
            language=args.language,
        )
        onboarding = await organisations.do_onboard(request)
        if args.json:
            print(
                json.dumps(
                    {
                        **_as_json(onboarding.organisation),
                        "created": onboarding.created,
                        "administrator": onboarding.administrator,
                        "invitation_id": onboarding.invitation.id if onboarding.invitation else None,
                    }
                ),
                file=out,
            )
        else:
            print(_line(onboarding.organisation), file=out)
        print(
            ("created" if onboarding.created else "exists already")
            + {
                "invited": f"; invitation mailed to {request.administrator_email}",
                "invitation_open": f"; the invitation to {request.administrator_email} still works (not mailed again)",
                "joined": f"; {request.administrator_email} is its administrator",
            }[onboarding.administrator],
            file=err,
        )
        return 0
    if args.action == "list":
        found = await organisations.list_all()
        if args.json:
            print(json.dumps([_as_json(organisation) for organisation in found]), file=out)
        else:
            for organisation in found:
                print(_line(organisation), file=out)
        print(f"{len(found)} organisations", file=err)
        return 0
    if args.action == "rename":
        print(_line(await organisations.do_rename(args.organisation, args.name)), file=out)
        return 0
    if args.action == "deactivate":
        organisation, staff = await organisations.do_deactivate(args.organisation)
        print(_line(organisation), file=out)
        print(f"deactivated; {staff} staff accounts lost their access", file=err)
        return 0
    if args.action == "supervise":
        supervision, changed = await organisations.do_link_supervision(args.department, args.organisation, args.themes)
        print(
            "\t".join(
                [supervision.supervisor_organisation_id, supervision.supervised_organisation_id, *supervision.themes]
            ),
            file=out,
        )
        print("linked" if changed else "linked already with these themes", file=err)
        return 0
    ended = await organisations.do_end_supervision(args.department, args.organisation)
    print("ended" if ended else "there was no such link", file=err)
    return 0


def main(argv: Sequence[str], settings: Settings, out: TextIO, err: TextIO) -> int:
    # Parsed before connecting: --help and usage errors need no database.
    args = _parser().parse_args(argv)

    async def with_database() -> int:
        engine = create_engine(settings.database_url, pool_size=1)
        try:
            session_factory = create_session_factory(engine)
            codec = event_codec()
            return await run(args, Organisations(lambda: IdentityUnitOfWork(session_factory, codec)), out, err)
        finally:
            await engine.dispose()

    return asyncio.run(with_database())
