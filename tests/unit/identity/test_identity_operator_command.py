"""The operator command (``zorgpost-identity organisations ...``) over the shared fakes: what
it prints, that running it again changes nothing, and that a refusal says why on stderr with
exit status 1 (usage errors exit 2 before any database is touched)."""

from __future__ import annotations

import io
import json
import re

import pytest
from identity_fakes import World, make_world

from identity.entrypoints import cli


async def run(world: World, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = await cli.run(cli._parser().parse_args(argv), world.organisations, out, err)
    return status, out.getvalue(), err.getvalue()


async def test_create_twice_list_rename_and_deactivate() -> None:
    world = make_world()
    create = ("create", "--name", "Gemeente Schiedam", "--kind", "municipality", "--admin-email", "b@schiedam.example")

    status, out, err = await run(world, *create, "--json")
    assert status == 0
    made = json.loads(out)
    assert (made["name"], made["kind"], made["created"], made["administrator"]) == (
        "Gemeente Schiedam", "municipality", True, "invited",
    )  # fmt: skip
    assert "invitation mailed to b@schiedam.example" in err

    status, out, err = await run(world, *create)
    assert status == 0
    assert out == f"{made['id']}\tmunicipality\tactive\tGemeente Schiedam\n"
    assert "exists already" in err and "not mailed again" in err

    status, out, _ = await run(world, "list")
    assert out.splitlines() == [f"{made['id']}\tmunicipality\tactive\tGemeente Schiedam"]
    status, out, _ = await run(world, "rename", "Gemeente Schiedam", "--name", "Gemeente Schiedam-Vlaardingen")
    assert out.endswith("\tGemeente Schiedam-Vlaardingen\n")
    status, out, err = await run(world, "deactivate", made["id"])
    assert "\tdeactivated\t" in out and "0 staff accounts lost their access" in err


async def test_a_refusal_says_why_and_exits_1() -> None:
    world = make_world()
    await run(world, "create", "--name", "Kind & meer", "--kind", "youth_care_practice", "--admin-email", "a@x.example")

    status, out, err = await run(
        world, "create", "--name", "Kind & meer", "--kind", "gp_practice", "--admin-email", "a@x.example"
    )
    assert (status, out) == (1, "")
    assert "refused: 'Kind & meer' exists as a youth_care_practice, not a gp_practice." in err
    status, _, err = await run(world, "rename", "Nergens", "--name", "X")
    assert status == 1 and "No organisation has the id or name 'Nergens'" in err
    status, _, err = await run(world, "create", "--name", "www.evil.example", "--kind", "other", "--admin-email", "x")
    assert status == 1 and "  --name: " in err and "  --admin-email: " in err


def test_usage_errors_exit_2_and_no_option_takes_a_secret(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        cli._parser().parse_args(["create", "--name", "X", "--kind", "bakery", "--admin-email", "a@x.example"])
    assert usage.value.code == 2
    with pytest.raises(SystemExit):
        cli._parser().parse_args(["create", "--help"])
    options = set(re.findall(r"--[a-z-]+", capsys.readouterr().out))
    assert "--admin-email" in options
    assert {option for option in options if "password" in option} == {"--password-preset"}
