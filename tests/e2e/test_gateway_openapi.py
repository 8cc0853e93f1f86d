"""The OpenAPI document tells the truth: schemathesis, with every one of its default checks,
runs against a real stack, logged in as an administrator, as staff and as a person, and
finds no failure — no undocumented status or media type, no schema-valid request refused,
no schema-invalid one accepted, no answer that breaks its schema, no server error.

The run is bounded for CI: ``MAX_EXAMPLES`` generated cases per operation in the fuzzing
and stateful phases (the coverage phase adds its boundary cases, about 1,900 requests per
identity in all), a fixed seed, one worker: about 2 minutes per identity on a 2-core machine.
Settings: tests/e2e/schemathesis/schemathesis.toml; formats of our own: hooks.py there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support import create_member, login, onboard_staff_member

from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")

HERE = Path(__file__).parent / "schemathesis"
MAX_EXAMPLES = 5
SEED = 20261129
#: Operations that end the caller's own session: run on a session of their own, last.
SESSION_ENDING = ("/api/v1/auth/logout", "/api/v1/me/sessions/{session_id}")


def _schemathesis(stack: Stack, token: str, workdir: Path, *selection: str) -> subprocess.CompletedProcess[str]:
    """Runs ``st run`` in ``workdir`` (where it keeps its cache), with every default check."""
    env = dict(os.environ)
    env["SCHEMATHESIS_HOOKS"] = "hooks"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            f"{stack.gateway_url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            str(SEED),
            # One worker: hypothesis describes its filters by parsing source, and CPython 3.11's
            # parser is not safe in two threads at once (SystemError "AST constructor
            # recursion depth mismatch" ends the run).
            "--workers",
            "1",
            "--no-color",
            *selection,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=workdir,
    )


def _passed(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == 0


async def _tokens(stack: Stack) -> dict[str, str]:
    # Staff who also work in the portal's back office, so its routes are walked with a token
    # that may use them (a person's portal is walked with the person's).
    staff = await onboard_staff_member(stack, roles=("staff", "practitioner"))
    assert staff.administrator is not None
    person = await create_member(stack, staff.organisation_id)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=15.0) as api:
        return {
            "admin": staff.administrator.access_token,
            "staff": await login(api, staff.email),
            "person": await login(api, person.email),
            "throwaway": await login(api, person.email),
        }


@pytest.mark.timeout(900)
@pytest.mark.parametrize("who", ["admin", "staff", "person"])
async def test_schemathesis_finds_no_failure(stack: Stack, who: str, tmp_path: Path) -> None:
    tokens = await _tokens(stack)
    exclusions = [argument for path in SESSION_ENDING for argument in ("--exclude-path", path)]

    result = _schemathesis(stack, tokens[who], tmp_path, *exclusions)

    assert _passed(result), result.stdout[-20_000:] + result.stderr[-2000:]


@pytest.mark.timeout(900)
async def test_schemathesis_finds_no_failure_in_the_routes_that_end_a_session(stack: Stack, tmp_path: Path) -> None:
    tokens = await _tokens(stack)
    inclusions = [argument for path in SESSION_ENDING for argument in ("--include-path", path)]

    result = _schemathesis(stack, tokens["throwaway"], tmp_path, *inclusions)

    assert _passed(result), result.stdout[-20_000:] + result.stderr[-2000:]
