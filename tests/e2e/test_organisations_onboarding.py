"""An organisation starts using Zorgpost with the operator command and the API alone: the
operator creates it and invites its first administrator; the administrator makes an account
from the mail, signs in with a second factor, sets up an authenticator app and invites a
colleague, who registers and sends a secure mail. Then the administrator runs the staff:
roles, the last administrator, another organisation's ids, teams, and the notices."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pyotp
import pytest
from journeys_support import token_after
from support import (
    PASSWORD,
    accept_invitation_with_new_account,
    code_in,
    invite_staff_member,
    notice_detail,
    onboard_organisation,
    operator_command,
    settled_messages,
    wait_for_messages,
    wait_until,
)

from zorgpost_devstack.stack import Stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _tokens(api: httpx.AsyncClient, stack: Stack, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Logs in; a second-factor challenge by e-mail is answered with the code from the mail."""
    before = len(await wait_for_messages(stack, email, count=0))
    login = await api.post("/api/v1/auth/login", json={"username": email, "password": password})
    assert login.status_code == 200, login.text
    body: dict[str, Any] = login.json()
    if "access_token" in body:
        return body
    code = code_in((await wait_for_messages(stack, email, count=before + 1, timeout=20.0))[0])
    verified = await api.post("/api/v1/auth/login/verify", json={"challenge_id": body["challenge_id"], "code": code})
    assert verified.status_code == 200, verified.text
    tokens: dict[str, Any] = verified.json()
    return tokens


async def test_a_new_organisation_gets_going_with_the_operator_command_and_the_api_alone(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    name = f"Huisartsenpraktijk De Es {uuid.uuid4().hex[:4]}"
    admin_email = f"beheer-{uuid.uuid4().hex[:6]}@de-es.example"
    create = [
        "create", "--name", name, "--kind", "gp_practice", "--password-preset", "gp-portal",
        "--admin-email", admin_email, "--json",
    ]  # fmt: skip

    # The operator: the organisation exists and its first administrator is invited.
    status, out, err = await operator_command(stack, *create)
    assert status == 0, err
    assert "invitation mailed" in err
    [invitation] = await settled_messages(stack, admin_email)
    detail = await notice_detail(stack, invitation)
    assert detail["subject"] == f"Uitnodiging om in Zorgpost te werken voor {name}"
    assert "als beheerder" in detail["text"] and "tweede factor" in detail["text"]

    # Idempotent: the same command again changes nothing and mails nobody.
    again_status, again_out, again_err = await operator_command(stack, *create)
    assert again_status == 0
    first, second = json.loads(out), json.loads(again_out)
    assert (first["created"], second["created"]) == (True, False)
    assert (second["id"], second["invitation_id"]) == (first["id"], first["invitation_id"])
    assert "still works (not mailed again)" in again_err
    assert len(await settled_messages(stack, admin_email)) == 1
    # A clear refusal for the same name with another kind; no secret is ever asked for.
    clash_status, _, clash_err = await operator_command(
        stack, "create", "--name", name, "--kind", "municipality", "--admin-email", admin_email
    )
    assert clash_status == 1
    assert "exists as a gp_practice" in clash_err
    help_status, help_out, _ = await operator_command(stack, "create", "--help")
    assert help_status == 0 and "password-preset" in help_out and "--password " not in help_out
    listed_status, listed, _ = await operator_command(stack, "list")
    assert listed_status == 0 and f"gp_practice\tactive\t{name}" in listed

    # The administrator: the invitation says what it is for; the account follows the
    # practice's password rules; the login asks for a second factor.
    token = token_after("/invitations/", invitation["text"])
    view = (await api.get(f"/api/v1/invitations/{token}")).json()
    assert (view["organisation_name"], view["roles"], view["email"]) == (name, ["admin"], admin_email)
    assert [rule["code"] for rule in view["password_rules"]][:1] == ["min_length"]
    admin_tokens = await accept_invitation_with_new_account(api, stack, admin_email)
    me = (await api.get("/api/v1/me", headers=bearer(admin_tokens["access_token"]))).json()
    assert me["roles"] == ["admin"]
    assert me["organisation"] == {"id": me["organisation"]["id"], "name": name, "kind": "gp_practice"}

    # The second factor the invitation asked for: an authenticator app.
    started = await api.post(
        "/api/v1/me/second-factors",
        json={"method": "totp", "password": PASSWORD},
        headers=bearer(admin_tokens["access_token"]),
    )
    assert started.status_code == 201, started.text
    confirmed = await api.post(
        "/api/v1/me/second-factors/totp/confirm",
        json={"code": pyotp.TOTP(started.json()["totp_secret"]).now()},
        headers=bearer(admin_tokens["access_token"]),
    )
    assert confirmed.status_code == 200, confirmed.text

    # The colleague: invited with a role, registers from the mail, sends a secure mail.
    colleague_email = f"assistent-{uuid.uuid4().hex[:6]}@de-es.example"
    invited = await api.post(
        "/api/v1/organisation/staff",
        json={"email": colleague_email, "roles": ["staff"], "language": "en"},
        headers=bearer(admin_tokens["access_token"]),
    )
    assert invited.status_code == 201, invited.text
    assert (invited.json()["roles"], invited.json()["state"]) == (["staff"], "open")
    [mail] = await wait_for_messages(stack, colleague_email)
    assert (await notice_detail(stack, mail))["subject"] == f"Invitation to work in Zorgpost for {name}"
    colleague_tokens = await accept_invitation_with_new_account(api, stack, colleague_email)
    colleague_me = (await api.get("/api/v1/me", headers=bearer(colleague_tokens["access_token"]))).json()
    assert (colleague_me["roles"], colleague_me["organisation"]["name"]) == (["staff"], name)

    recipient = f"patient-{uuid.uuid4().hex[:6]}@example.org"
    sent = await api.post(
        "/api/v1/secure-mails",
        json={"recipient_email": recipient, "subject": "Uw uitslag", "body": "Vertrouwelijk: de uitslag is goed."},
        headers=bearer(colleague_tokens["access_token"]),
    )
    assert sent.status_code == 201, sent.text
    [notice] = await wait_for_messages(stack, recipient, timeout=20.0)
    assert name in notice["text"] and "uitslag is goed" not in notice["text"]

    # The staff list: both, with their last login and second factors.
    listed_staff = await api.get("/api/v1/organisation/staff", headers=bearer(admin_tokens["access_token"]))
    assert listed_staff.status_code == 200, listed_staff.text
    staff = listed_staff.json()
    by_email = {member["email"]: member for member in staff}
    assert by_email[admin_email]["roles"] == ["admin"]
    assert by_email[admin_email]["second_factors"] == ["totp"] and by_email[admin_email]["second_factor_enrolled"]
    assert by_email[colleague_email]["roles"] == ["staff"]
    assert by_email[colleague_email]["second_factor_enrolled"] is False
    assert all(member["status"] == "active" and member["last_login_at"] for member in staff)
    invitations = await api.get("/api/v1/organisation/staff-invitations", headers=bearer(admin_tokens["access_token"]))
    assert {item["state"] for item in invitations.json()} == {"accepted"}


async def test_roles_change_at_once_and_the_last_administrator_stays(stack: Stack, api: httpx.AsyncClient) -> None:
    admin = await onboard_organisation(stack)
    colleague = await invite_staff_member(stack, admin, roles=["staff"])
    colleague_tokens = await _tokens(api, stack, colleague.email)
    old_token = colleague_tokens["access_token"]
    assert (await api.get("/api/v1/secure-mail-inbox", headers=bearer(old_token))).status_code == 200

    # Only an administrator manages staff: a colleague is refused, whatever the id.
    refused = await api.patch(
        f"/api/v1/organisation/staff/{admin.account_id}", json={"roles": ["staff"]}, headers=bearer(old_token)
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_permitted"

    changed = await api.patch(
        f"/api/v1/organisation/staff/{colleague.account_id}",
        json={"roles": ["helpdesk", "admin"]},
        headers=bearer(admin.access_token),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["roles"] == ["admin", "helpdesk"]

    # The colleague is told; the token issued before the change stops working within
    # seconds; a refresh gives the new roles.
    notice, _invitation = await settled_messages(stack, colleague.email, count=2)
    detail = await notice_detail(stack, notice)
    assert detail["subject"] == f"Uw rollen bij {admin.organisation_name} in Zorgpost zijn gewijzigd"
    assert "beheerder, helpdesk" in detail["text"]

    async def old_token_refused() -> bool:
        return (await api.get("/api/v1/secure-mail-inbox", headers=bearer(old_token))).status_code == 401

    await wait_until(old_token_refused, within=15.0, what="the token from before the change is refused")
    refreshed = await api.post("/api/v1/auth/refresh", json={"refresh_token": colleague_tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    new_token = refreshed.json()["access_token"]
    assert (await api.get("/api/v1/me", headers=bearer(new_token))).json()["roles"] == ["admin", "helpdesk"]
    assert (await api.get("/api/v1/organisation/staff", headers=bearer(new_token))).status_code == 200

    # The first administrator may now give up the role; the last one may not.
    demoted = await api.patch(
        f"/api/v1/organisation/staff/{admin.account_id}", json={"roles": ["staff"]}, headers=bearer(admin.access_token)
    )
    assert demoted.status_code == 200, demoted.text
    last = await api.post(f"/api/v1/organisation/staff/{colleague.account_id}/deactivate", headers=bearer(new_token))
    assert last.status_code == 409
    assert last.json()["code"] == "last_administrator"
    assert "last administrator" in last.json()["detail"]
    self_demotion = await api.patch(
        f"/api/v1/organisation/staff/{colleague.account_id}", json={"roles": ["helpdesk"]}, headers=bearer(new_token)
    )
    assert self_demotion.status_code == 409


async def test_another_organisations_staff_and_teams_are_unknown(stack: Stack, api: httpx.AsyncClient) -> None:
    admin = await onboard_organisation(stack)
    other_admin = await onboard_organisation(stack)
    stranger = await invite_staff_member(stack, other_admin, roles=["staff"])
    team = await api.post(
        "/api/v1/organisation/teams", json={"name": "Assistenten"}, headers=bearer(other_admin.access_token)
    )
    assert team.status_code == 201, team.text

    for method, path, body in (
        ("PATCH", f"/api/v1/organisation/staff/{stranger.account_id}", {"roles": ["staff"]}),
        ("POST", f"/api/v1/organisation/staff/{stranger.account_id}/deactivate", None),
        ("GET", f"/api/v1/organisation/teams/{team.json()['id']}", None),
        ("DELETE", f"/api/v1/organisation/teams/{team.json()['id']}", None),
    ):
        response = await api.request(method, path, json=body, headers=bearer(admin.access_token))
        assert response.status_code == 404, (method, path, response.text)
    members = await api.post(
        "/api/v1/organisation/teams",
        json={"name": "Gemengd", "member_account_ids": [stranger.account_id]},
        headers=bearer(admin.access_token),
    )
    assert members.status_code == 422
    assert members.json()["errors"][0]["field"] == "member_account_ids"
    assert (await api.get("/api/v1/organisation/staff", headers=bearer(other_admin.access_token))).status_code == 200


async def test_teams_are_named_groups_of_active_staff(stack: Stack, api: httpx.AsyncClient) -> None:
    admin = await onboard_organisation(stack)
    first = await invite_staff_member(stack, admin, roles=["case_handler"])
    second = await invite_staff_member(stack, admin, roles=["case_handler", "staff"])
    headers = bearer(admin.access_token)

    made = await api.post(
        "/api/v1/organisation/teams",
        json={"name": "Team zaakbehandelaars", "member_account_ids": [first.account_id]},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    team_id = made.json()["id"]
    duplicate = await api.post("/api/v1/organisation/teams", json={"name": "team ZAAKBEHANDELAARS"}, headers=headers)
    assert duplicate.status_code == 409
    members = await api.put(
        f"/api/v1/organisation/teams/{team_id}/members",
        json={"member_account_ids": [first.account_id, second.account_id]},
        headers=headers,
    )
    assert sorted(members.json()["member_account_ids"]) == sorted([first.account_id, second.account_id])
    renamed = await api.patch(f"/api/v1/organisation/teams/{team_id}", json={"name": "E-loket"}, headers=headers)
    assert renamed.json()["name"] == "E-loket"

    # Every staff member sees the teams; a deactivated member leaves every team.
    member_token = (await _tokens(api, stack, second.email))["access_token"]
    seen = await api.get("/api/v1/organisation/teams", headers=bearer(member_token))
    assert [team["name"] for team in seen.json()] == ["E-loket"]
    deactivated = await api.post(f"/api/v1/organisation/staff/{first.account_id}/deactivate", headers=headers)
    assert deactivated.json()["status"] == "deactivated"
    assert (await api.get(f"/api/v1/organisation/teams/{team_id}", headers=headers)).json()["member_account_ids"] == [
        second.account_id
    ]
    assert (await api.delete(f"/api/v1/organisation/teams/{team_id}", headers=headers)).status_code == 204
    assert (await api.get("/api/v1/organisation/teams", headers=headers)).json() == []


async def test_a_department_sees_the_organisations_it_supervises_and_they_see_it(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    department = await onboard_organisation(stack, kind="government_department", name=f"IGJ {uuid.uuid4().hex[:4]}")
    practice = await onboard_organisation(stack, kind="youth_care_practice")
    linked = await operator_command(
        stack, "supervise", department.organisation_id, practice.organisation_name, "--theme", "jeugdzorg"
    )
    assert linked[0] == 0, linked[2]
    refused = await operator_command(
        stack, "supervise", practice.organisation_id, department.organisation_id, "--theme", "x"
    )
    assert refused[0] == 1 and "government department" in refused[2]

    supervised = (await api.get("/api/v1/organisation/supervised", headers=bearer(department.access_token))).json()
    assert [(link["organisation"]["id"], link["themes"]) for link in supervised] == [
        (practice.organisation_id, ["jeugdzorg"])
    ]
    themes = await api.put(
        f"/api/v1/organisation/supervised/{practice.organisation_id}",
        json={"themes": ["jeugdzorg", "kwaliteit-van-zorg"]},
        headers=bearer(department.access_token),
    )
    assert themes.status_code == 200, themes.text
    bad = await api.put(
        f"/api/v1/organisation/supervised/{practice.organisation_id}",
        json={"themes": ["Jeugd Zorg"]},
        headers=bearer(department.access_token),
    )
    assert bad.status_code == 422
    supervisors = (await api.get("/api/v1/organisation/supervisors", headers=bearer(practice.access_token))).json()
    assert [(link["organisation"]["kind"], link["themes"]) for link in supervisors] == [
        ("government_department", ["jeugdzorg", "kwaliteit-van-zorg"])
    ]
    ended = await api.delete(
        f"/api/v1/organisation/supervised/{practice.organisation_id}", headers=bearer(department.access_token)
    )
    assert ended.status_code == 204
    assert (await api.get("/api/v1/organisation/supervisors", headers=bearer(practice.access_token))).json() == []


async def test_the_operator_renames_and_deactivates_an_organisation(stack: Stack, api: httpx.AsyncClient) -> None:
    admin = await onboard_organisation(stack)
    colleague = await invite_staff_member(stack, admin)
    colleague_tokens = await _tokens(api, stack, colleague.email)
    new_name = f"Gemeente Nieuw {uuid.uuid4().hex[:4]}"

    def create(name: str, admin_email: str) -> tuple[str, ...]:
        return ("create", "--name", name, "--kind", "municipality", "--admin-email", admin_email)

    # A colleague without the admin role could not accept an administrator's invitation.
    not_admin = await operator_command(stack, *create(admin.organisation_name, colleague.email))
    assert not_admin[0] == 1, not_admin
    assert "--admin-email" in not_admin[2] and "without the admin role" in not_admin[2]

    renamed = await operator_command(stack, "rename", admin.organisation_id, "--name", new_name)
    assert renamed[0] == 0, renamed[2]
    me = (await api.get("/api/v1/me", headers=bearer(colleague_tokens["access_token"]))).json()
    assert me["organisation"]["name"] == new_name

    status, _, err = await operator_command(stack, "deactivate", new_name)
    assert status == 0 and "2 staff accounts lost their access" in err
    again = await operator_command(stack, "deactivate", admin.organisation_id)
    assert again[0] == 0 and "0 staff accounts" in again[2]

    async def refused() -> bool:
        response = await api.get("/api/v1/threads", headers=bearer(colleague_tokens["access_token"]))
        return response.status_code == 401

    await wait_until(refused, within=15.0, what="the deactivated organisation's tokens are refused")
    login = await api.post("/api/v1/auth/login", json={"username": colleague.email, "password": PASSWORD})
    assert login.status_code == 401
    # Nobody can accept an invitation to a deactivated organisation: none is mailed.
    deactivated = await operator_command(stack, *create(new_name, f"nieuw-{uuid.uuid4().hex[:8]}@test.example"))
    assert deactivated[0] == 1 and "is deactivated" in deactivated[2], deactivated
    unknown = await operator_command(stack, "rename", "no-such-organisation", "--name", "X")
    assert unknown[0] == 1 and "No organisation" in unknown[2]


async def test_an_id_that_cannot_exist_is_not_found_or_refused_never_a_server_error(
    stack: Stack, api: httpx.AsyncClient
) -> None:
    admin = await onboard_organisation(stack)
    department = await onboard_organisation(stack, kind="government_department", name=f"IGJ {uuid.uuid4().hex[:4]}")
    field_of: dict[str, str] = {}
    for method, template, body, token in (
        ("PATCH", "/api/v1/organisation/staff/{}", {"roles": ["staff"]}, admin.access_token),
        ("POST", "/api/v1/organisation/staff/{}/deactivate", None, admin.access_token),
        ("POST", "/api/v1/organisation/staff-invitations/{}/revoke", None, admin.access_token),
        ("POST", "/api/v1/organisation/staff-invitations/{}/resend", None, admin.access_token),
        ("GET", "/api/v1/organisation/teams/{}", None, admin.access_token),
        ("PATCH", "/api/v1/organisation/teams/{}", {"name": "E-loket"}, admin.access_token),
        ("PUT", "/api/v1/organisation/teams/{}/members", {"member_account_ids": []}, admin.access_token),
        ("DELETE", "/api/v1/organisation/teams/{}", None, admin.access_token),
        ("PUT", "/api/v1/organisation/supervised/{}", {"themes": ["jeugdzorg"]}, department.access_token),
        ("DELETE", "/api/v1/organisation/supervised/{}", None, department.access_token),
    ):
        # Well-formed but unknown, or not an id at all: not found, as another organisation's.
        for unknown in (str(uuid.uuid4()), "not-a-uuid", "1'OR'1'='1"):
            response = await api.request(method, template.format(unknown), json=body, headers=bearer(token))
            assert response.status_code == 404, (method, template, unknown, response.text)
        # A NUL byte cannot be an id: the gateway refuses it, naming the path parameter.
        response = await api.request(method, template.format("%00"), json=body, headers=bearer(token))
        assert response.status_code == 422, (method, template, response.text)
        field_of[template] = response.json()["errors"][0]["field"]
    assert field_of["/api/v1/organisation/staff/{}"] == "account_id"
    assert field_of["/api/v1/organisation/staff-invitations/{}/revoke"] == "invitation_id"
    assert field_of["/api/v1/organisation/teams/{}"] == "team_id"
    assert field_of["/api/v1/organisation/supervised/{}"] == "organisation_id"

    malformed_member = await api.post(
        "/api/v1/organisation/teams",
        json={"name": "Gemengd", "member_account_ids": ["not-a-uuid"]},
        headers=bearer(admin.access_token),
    )
    assert malformed_member.status_code == 422, malformed_member.text
    assert malformed_member.json()["errors"][0]["field"] == "member_account_ids"
