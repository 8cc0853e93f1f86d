"""The administrator's pages: the organisation's staff (roles, last login, second factor),
inviting a colleague with roles, changing roles, ending someone's access (after a
confirmation), the staff invitations sent, and the teams. Only an administrator of the
organisation reaches them (the menu offers them to nobody else); the gateway and identity
decide again on every call. The organisation's settings (contact data, security policy,
secure e-mail) are linked from here and live in :mod:`web.entrypoints.staff` and
:mod:`web.entrypoints.inbox`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.context import AdminPage, Page
from web.forms import Form, checked
from web.service.ports import GatewayError
from zorgpost_kit.roles import STAFF_ROLES

router = APIRouter(prefix="/admin")

#: The roles an administrator gives, in the order the pages show them.
ROLES = tuple(role.value for role in STAFF_ROLES)
INVITE_FIELDS = {"email": "admin.email", "roles": "admin.roles", "language": "admin.language"}
ROLES_FIELDS = {"roles": "admin.roles"}
TEAM_FIELDS = {"name": "admin.team_name"}
MEMBERS_FIELDS = {"member_account_ids": "admin.team_members"}


def _chosen_roles(values: dict[str, str]) -> list[str]:
    """The roles ticked (one checkbox per role: ``role-admin`` …)."""
    return [role for role in ROLES if checked(values, f"role-{role}")]


def _role_values(roles: list[str]) -> dict[str, Any]:
    return {f"role-{role}": role in roles for role in ROLES}


async def _staff(page: Page) -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = await page.api("GET", "/organisation/staff")
    return listed


async def _member(page: Page, account_id: str) -> dict[str, Any]:
    """One member of the organisation's staff, or the not-found page."""
    for member in await _staff(page):
        if member["account_id"] == account_id:
            return member
    raise GatewayError(404, "staff_member_not_found", "Staff member not found.")


@router.get("")
async def administration_home(page: AdminPage) -> Response:
    return await page.render("pages/admin_home.html.j2")


# --------------------------------------------------------------------------- staff


@router.get("/staff")
async def staff_list(page: AdminPage) -> Response:
    staff = await _staff(page)
    invitations = [
        invitation
        for invitation in await page.api("GET", "/organisation/staff-invitations")
        if invitation["state"] in ("open", "expired")
    ]
    return await page.render("pages/admin_staff.html.j2", staff=staff, invitations=invitations)


@router.get("/staff/invite")
async def invite_form(page: AdminPage) -> Response:
    form = page.new_form(INVITE_FIELDS, {"language": page.lang, **_role_values(["staff"])})
    return await page.render("pages/admin_staff_invite.html.j2", form=form, roles=ROLES)


@router.post("/staff/invite")
async def invite(page: AdminPage) -> Response:
    values = await page.form()
    roles = _chosen_roles(values)
    form = page.new_form(INVITE_FIELDS, {**values, **_role_values(roles)})
    if not roles:
        form.error("roles", "admin.roles_required")
        return await page.render("pages/admin_staff_invite.html.j2", status=422, form=form, roles=ROLES)
    language = values.get("language", "nl")
    try:
        invited = await page.api(
            "POST",
            "/organisation/staff",
            json={"email": values.get("email", "").strip(), "roles": roles, "language": language},
        )
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/admin_staff_invite.html.j2", status=error.status, form=form, roles=ROLES)
    page.flash("success", "flash.staff_invited", email=invited["email"])
    return await page.redirect("/admin/staff")


@router.post("/staff-invitations/{invitation_id}/{action}")
async def invitation_action(page: AdminPage, invitation_id: str, action: str) -> Response:
    await page.form()
    if action not in ("revoke", "resend"):
        return await page.redirect("/admin/staff")
    await page.api("POST", f"/organisation/staff-invitations/{invitation_id}/{action}")
    page.flash("success", f"flash.invitation_{action}")
    return await page.redirect("/admin/staff")


@router.get("/staff/{account_id}")
async def member_page(page: AdminPage, account_id: str) -> Response:
    member = await _member(page, account_id)
    form = page.new_form(ROLES_FIELDS, _role_values(member["roles"]))
    return await page.render("pages/admin_staff_member.html.j2", member=member, form=form, roles=ROLES)


@router.post("/staff/{account_id}")
async def change_roles(page: AdminPage, account_id: str) -> Response:
    values = await page.form()
    roles = _chosen_roles(values)
    member = await _member(page, account_id)
    form = page.new_form(ROLES_FIELDS, _role_values(roles))
    if not roles:
        form.error("roles", "admin.roles_required")
        return await page.render("pages/admin_staff_member.html.j2", status=422, member=member, form=form, roles=ROLES)
    try:
        changed = await page.api("PATCH", f"/organisation/staff/{account_id}", json={"roles": roles})
    except GatewayError as error:
        if error.status == 404:
            raise
        form.take(error)
        return await page.render(
            "pages/admin_staff_member.html.j2", status=error.status, member=member, form=form, roles=ROLES
        )
    page.flash("success", "flash.roles_changed", name=changed["display_name"] or changed["email"])
    return await page.redirect(f"/admin/staff/{account_id}")


@router.get("/staff/{account_id}/deactivate")
async def deactivate_confirmation(page: AdminPage, account_id: str) -> Response:
    member = await _member(page, account_id)
    return await page.render("pages/admin_staff_deactivate.html.j2", member=member, form=page.new_form({}))


@router.post("/staff/{account_id}/deactivate")
async def deactivate(page: AdminPage, account_id: str) -> Response:
    await page.form()
    member = await _member(page, account_id)
    try:
        await page.api("POST", f"/organisation/staff/{account_id}/deactivate")
    except GatewayError as error:
        if error.status == 404:
            raise
        form = page.new_form({})
        form.take(error)
        return await page.render("pages/admin_staff_deactivate.html.j2", status=error.status, member=member, form=form)
    page.flash("success", "flash.staff_deactivated", name=member["display_name"] or member["email"])
    return await page.redirect("/admin/staff")


# --------------------------------------------------------------------------- teams


@router.get("/teams")
async def teams(page: AdminPage) -> Response:
    return await _teams_page(page, page.new_form(TEAM_FIELDS))


async def _teams_page(page: Page, form: Form, status: int = 200) -> Response:
    listed = await page.api("GET", "/organisation/teams")
    names = {member["account_id"]: member["display_name"] or member["email"] for member in await _staff(page)}
    return await page.render("pages/admin_teams.html.j2", status=status, teams=listed, names=names, form=form)


@router.post("/teams")
async def create_team(page: AdminPage) -> Response:
    values = await page.form()
    form = page.new_form(TEAM_FIELDS, values)
    try:
        team = await page.api("POST", "/organisation/teams", json={"name": values.get("name", "").strip()})
    except GatewayError as error:
        form.take(error)
        return await _teams_page(page, form, error.status)
    page.flash("success", "flash.team_created", name=team["name"])
    return await page.redirect(f"/admin/teams/{team['id']}")


async def _team_page(
    page: Page, team_id: str, *, name_form: Form | None = None, members_form: Form | None = None, status: int = 200
) -> Response:
    team = await page.api("GET", f"/organisation/teams/{team_id}")
    staff = [member for member in await _staff(page) if member["status"] == "active"]
    name_form = name_form or page.new_form(TEAM_FIELDS, {"name": team["name"]})
    members_form = members_form or page.new_form(
        MEMBERS_FIELDS, {f"member-{account_id}": True for account_id in team["member_account_ids"]}
    )
    return await page.render(
        "pages/admin_team.html.j2",
        status=status,
        team=team,
        staff=staff,
        form=name_form if name_form.failed else members_form,
        name_form=name_form,
        members_form=members_form,
    )


@router.get("/teams/{team_id}")
async def team_page(page: AdminPage, team_id: str) -> Response:
    return await _team_page(page, team_id)


@router.post("/teams/{team_id}/name")
async def rename_team(page: AdminPage, team_id: str) -> Response:
    values = await page.form()
    form = page.new_form(TEAM_FIELDS, values)
    try:
        team = await page.api("PATCH", f"/organisation/teams/{team_id}", json={"name": values.get("name", "").strip()})
    except GatewayError as error:
        if error.status == 404:
            raise
        form.take(error)
        return await _team_page(page, team_id, name_form=form, status=error.status)
    page.flash("success", "flash.team_renamed", name=team["name"])
    return await page.redirect(f"/admin/teams/{team_id}")


@router.post("/teams/{team_id}/members")
async def set_members(page: AdminPage, team_id: str) -> Response:
    values = await page.form()
    chosen = [name.removeprefix("member-") for name in values if name.startswith("member-") and checked(values, name)]
    form = page.new_form(MEMBERS_FIELDS, {f"member-{account_id}": True for account_id in chosen})
    try:
        await page.api("PUT", f"/organisation/teams/{team_id}/members", json={"member_account_ids": chosen})
    except GatewayError as error:
        if error.status == 404:
            raise
        form.take(error)
        return await _team_page(page, team_id, members_form=form, status=error.status)
    page.flash("success", "flash.team_members_saved")
    return await page.redirect(f"/admin/teams/{team_id}")


@router.post("/teams/{team_id}/delete")
async def delete_team(page: AdminPage, team_id: str) -> Response:
    await page.form()
    team = await page.api("GET", f"/organisation/teams/{team_id}")
    await page.api("DELETE", f"/organisation/teams/{team_id}")
    page.flash("success", "flash.team_deleted", name=team["name"])
    return await page.redirect("/admin/teams")
