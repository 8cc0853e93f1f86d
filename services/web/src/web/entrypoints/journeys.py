"""Pages behind the links Zorgpost mails: an invitation to a secure conversation (seed 1),
activating a practice-made account (seed 4), finishing a self-registration (seed 5),
confirming a new e-mail address, and a delegation to consent to or look at."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.auth import continue_login
from web.entrypoints.context import Page, PageDep, SignedInPage
from web.entrypoints.messenger import open_joined_conversation
from web.entrypoints.paths import segment
from web.forms import checked
from web.service.ports import GatewayError

router = APIRouter()

ACCOUNT_FIELDS = {
    "first_name": "person.first_name",
    "last_name": "person.last_name",
    "username": "person.username",
    "password": "password.password",
    "password_confirmation": "password.confirmation",
    "terms": "terms.accept",
}
EXISTING_FIELDS = {"username": "login.username", "password": "login.password"}


# --------------------------------------------------------------------------- invitations


async def _invitation(page: Page, token: str) -> dict[str, Any]:
    view: dict[str, Any] = await page.public_api("GET", f"/invitations/{segment(token)}")
    return view


@router.get("/invitations/done")
async def invitation_done(page: SignedInPage) -> Response:
    """Seed 1: "Bedankt voor je registratie", then on into the conversation."""
    return await page.render("pages/invitation_done.html.j2", conversation=page.pending("joining"))


@router.get("/invitations/{token}")
async def invitation(page: PageDep, token: str) -> Response:
    view = await _invitation(page, token)
    return await page.render("pages/invitation.html.j2", invitation=view, token=token)


@router.get("/invitations/{token}/account")
async def invitation_account_form(page: PageDep, token: str) -> Response:
    view = await _invitation(page, token)
    if view["state"] != "open":
        return await page.redirect(f"/invitations/{token}")
    saved = page.pending("invitation_account")
    values = saved["values"] if saved and saved.get("token") == token else {}
    return await page.render(
        "pages/invitation_account.html.j2", invitation=view, token=token, form=page.new_form(ACCOUNT_FIELDS, values)
    )


def _account_body(values: dict[str, str], view: dict[str, Any], *, accepted: bool, dry_run: bool) -> dict[str, Any]:
    return {
        "first_name": values.get("first_name", ""),
        "last_name": values.get("last_name", ""),
        "username": values.get("username", ""),
        "password": values.get("password", ""),
        "password_confirmation": values.get("password_confirmation", ""),
        "terms_version": view["terms_version"] if accepted else "",
        "privacy_version": view["privacy_version"] if accepted else "",
        "dry_run": dry_run,
    }


@router.post("/invitations/{token}/account")
async def invitation_account_check(page: PageDep, token: str) -> Response:
    """Step 1 (personal details and password) is checked in full but nothing is saved;
    the summary follows. What was typed waits in the server-side session, never in a
    hidden field."""
    values = await page.form()
    view = await _invitation(page, token)
    form = page.new_form(ACCOUNT_FIELDS, {k: values.get(k, "") for k in ("first_name", "last_name", "username")})
    try:
        await page.public_api(
            "POST",
            f"/invitations/{segment(token)}/account",
            json=_account_body(values, view, accepted=True, dry_run=True),
        )
    except GatewayError as error:
        form.take(error, rules=view["password_rules"])
        return await page.render(
            "pages/invitation_account.html.j2", status=error.status, invitation=view, token=token, form=form
        )
    page.set_pending("invitation_account", {"token": token, "values": values})
    return await page.redirect(f"/invitations/{token}/summary")


@router.get("/invitations/{token}/summary")
async def invitation_summary(page: PageDep, token: str) -> Response:
    saved = page.pending("invitation_account")
    if not saved or saved.get("token") != token:
        return await page.redirect(f"/invitations/{token}/account")
    view = await _invitation(page, token)
    return await page.render(
        "pages/invitation_summary.html.j2",
        invitation=view,
        token=token,
        details=saved["values"],
        form=page.new_form(ACCOUNT_FIELDS),
    )


@router.post("/invitations/{token}/summary")
async def invitation_create(page: PageDep, token: str) -> Response:
    values = await page.form()
    saved = page.pending("invitation_account")
    if not saved or saved.get("token") != token:
        return await page.redirect(f"/invitations/{token}/account")
    view = await _invitation(page, token)
    form = page.new_form(ACCOUNT_FIELDS)
    if values.get("back"):
        return await page.redirect(f"/invitations/{token}/account")
    if not checked(values, "terms"):
        form.error("terms", "terms.required")
        return await page.render(
            "pages/invitation_summary.html.j2",
            status=422,
            invitation=view,
            token=token,
            details=saved["values"],
            form=form,
        )
    try:
        accepted = await page.public_api(
            "POST",
            f"/invitations/{segment(token)}/account",
            json=_account_body(saved["values"], view, accepted=True, dry_run=False),
        )
    except GatewayError as error:
        form.take(error, rules=view["password_rules"])
        return await page.render(
            "pages/invitation_summary.html.j2",
            status=error.status,
            invitation=view,
            token=token,
            details=saved["values"],
            form=form,
        )
    page.drop_pending("invitation_account")
    page.set_pending("joining", accepted["thread_id"])
    login = accepted.get("login")
    if login is None:
        return await page.redirect("/login")
    if "challenge_id" in login:
        return await continue_login(page, login, "/invitations/done")
    await page.sign_in(login)
    return await page.redirect("/invitations/done")


@router.get("/invitations/{token}/login")
async def invitation_login_form(page: PageDep, token: str) -> Response:
    view = await _invitation(page, token)
    return await page.render(
        "pages/invitation_login.html.j2", invitation=view, token=token, form=page.new_form(EXISTING_FIELDS)
    )


@router.post("/invitations/{token}/login")
async def invitation_login(page: PageDep, token: str) -> Response:
    """ "I already have an account": signed in here already, the invitation is attached at
    once; otherwise the login (with its second factor) comes first."""
    values = await page.form()
    view = await _invitation(page, token)
    if page.signed_in and values.get("attach"):
        accepted = await page.api("POST", f"/invitations/{segment(token)}/accept")
        # A staff invitation moves the account to the organisation with new roles and
        # revokes its tokens: new ones (identity issues them with the new roles on refresh)
        # and the account read again, so the next page is the new organisation's.
        await page.renew()
        page.flash("success", "flash.invitation_accepted")
        return await open_joined_conversation(page, accepted["thread_id"])
    form = page.new_form(EXISTING_FIELDS, {"username": values.get("username", "")})
    for name in EXISTING_FIELDS:
        if not values.get(name):
            form.error(name, "form.required")
    if form.failed:
        return await page.render("pages/invitation_login.html.j2", status=422, invitation=view, token=token, form=form)
    try:
        answer = await page.public_api(
            "POST",
            f"/invitations/{segment(token)}/login",
            json={"username": values["username"], "password": values["password"]},
        )
    except GatewayError as error:
        form.take(error)
        return await page.render(
            "pages/invitation_login.html.j2", status=error.status, invitation=view, token=token, form=form
        )
    if "challenge_id" in answer:
        return await continue_login(page, answer, "", then={"accept_invitation": token})
    await page.sign_in(answer["login"])
    page.flash("success", "flash.invitation_accepted")
    if page.account.password_change_required:
        return await page.redirect("/password/change")
    return await open_joined_conversation(page, answer["thread_id"])


@router.get("/invitations/{token}/decline")
async def invitation_decline_form(page: PageDep, token: str) -> Response:
    view = await _invitation(page, token)
    return await page.render("pages/invitation_decline.html.j2", invitation=view, token=token)


@router.post("/invitations/{token}/decline")
async def invitation_decline(page: PageDep, token: str) -> Response:
    await page.form()
    view = await _invitation(page, token)
    await page.public_api("POST", f"/invitations/{segment(token)}/decline")
    return await page.render("pages/invitation_declined.html.j2", invitation=view)


# --------------------------------------------------------------------------- activation (seed 4)

ACTIVATION_FIELDS = {"birth_date": "person.birth_date"}


@router.get("/activate/{token}")
async def activation_form(page: PageDep, token: str) -> Response:
    view = await page.public_api("GET", f"/activations/{segment(token)}")
    return await page.render(
        "pages/activation.html.j2", activation=view, token=token, form=page.new_form(ACTIVATION_FIELDS)
    )


@router.post("/activate/{token}")
async def activate(page: PageDep, token: str) -> Response:
    values = await page.form()
    form = page.new_form(ACTIVATION_FIELDS, {"birth_date": values.get("birth_date", "")})
    try:
        activated = await page.public_api(
            "POST", f"/activations/{segment(token)}", json={"birth_date": values.get("birth_date", "")}
        )
    except GatewayError as error:
        view = await page.public_api("GET", f"/activations/{segment(token)}")
        if error.code == "wrong_birth_date" and not error.errors:
            form.error("birth_date", "activation.wrong_birth_date", left=view["attempts_left"])
        else:
            form.take(error)
        return await page.render(
            "pages/activation.html.j2", status=error.status, activation=view, token=token, form=form
        )
    return await page.render("pages/activated.html.j2", login_name=activated["login_name"])


# --------------------------------------------------------------------------- registration (seed 5)

REQUEST_FIELDS = {
    "first_name": "person.first_name",
    "last_name": "person.last_name",
    "email": "person.email",
    "mobile": "person.mobile",
    "birth_date": "person.birth_date",
    "language": "person.language",
}
COMPLETE_FIELDS = {
    "code": "registration.code",
    "password": "password.password",
    "password_confirmation": "password.confirmation",
    "terms": "terms.accept",
}
#: The practice's terms a self-registration accepts (identity checks the version).
TERMS_VERSION = "2026-01"


@router.get("/register")
async def registration_form(page: PageDep, organisation: str = "") -> Response:
    """Reached from the practice's own website, whose link names the practice."""
    if not organisation:
        return await page.render(
            "pages/error.html.j2", title_key="registration.title", text_key="registration.no_practice"
        )
    return await page.render(
        "pages/registration.html.j2",
        organisation=organisation,
        form=page.new_form(REQUEST_FIELDS, {"language": page.lang}),
    )


@router.post("/register")
async def request_registration(page: PageDep) -> Response:
    values = await page.form()
    organisation = values.get("organisation", "")
    form = page.new_form(REQUEST_FIELDS, values)
    try:
        await page.public_api(
            "POST",
            "/registrations",
            json={**{name: values.get(name, "") for name in REQUEST_FIELDS}, "organisation_id": organisation},
        )
    except GatewayError as error:
        form.take(error)
        return await page.render(
            "pages/registration.html.j2", status=error.status, organisation=organisation, form=form
        )
    return await page.render("pages/registration_received.html.j2", email=values.get("email", ""))


@router.get("/register/{token}")
async def registration_link(page: PageDep, token: str) -> Response:
    sent = page.pending("registration")
    if sent and sent.get("token") == token:
        return await page.render(
            "pages/registration_complete.html.j2", token=token, sent=sent, form=page.new_form(COMPLETE_FIELDS)
        )
    return await page.render("pages/registration_start.html.j2", token=token)


@router.post("/register/{token}/code")
async def registration_code(page: PageDep, token: str) -> Response:
    await page.form()
    try:
        sent = await page.public_api("POST", f"/register/{segment(token)}/code")
    except GatewayError as error:
        if error.status in (404, 409, 410):
            return await page.render("pages/link_invalid.html.j2", status=error.status)
        raise
    page.set_pending("registration", {"token": token, **sent})
    page.flash("success", "flash.registration_code_sent", mobile=sent["masked_mobile"])
    return await page.redirect(f"/register/{token}")


@router.post("/register/{token}")
async def registration_complete(page: PageDep, token: str) -> Response:
    values = await page.form()
    sent = page.pending("registration") or {"token": token, "organisation_name": "", "masked_mobile": ""}
    form = page.new_form(COMPLETE_FIELDS)
    if not checked(values, "terms"):
        form.error("terms", "terms.required")
    if values.get("password") != values.get("password_confirmation"):
        form.error("password_confirmation", "password.mismatch")
    if form.failed:
        return await page.render("pages/registration_complete.html.j2", status=422, token=token, sent=sent, form=form)
    try:
        completed = await page.public_api(
            "POST",
            f"/register/{segment(token)}",
            json={
                "code": "".join(values.get("code", "").split()),
                "password": values.get("password", ""),
                "password_confirmation": values.get("password_confirmation", ""),
                "terms_version": TERMS_VERSION,
                "privacy_version": TERMS_VERSION,
            },
        )
    except GatewayError as error:
        if error.code == "incorrect_code" and not error.errors:
            form.error("code", "login.code_incorrect")
        else:
            form.take(error)
        return await page.render(
            "pages/registration_complete.html.j2", status=error.status, token=token, sent=sent, form=form
        )
    page.drop_pending("registration")
    page.flash("success", "flash.registration_done")
    return await continue_login(page, completed["login"], "")


# --------------------------------------------------------------------------- e-mail confirmation


@router.get("/confirm-email/{token}")
async def confirm_email_page(page: SignedInPage, token: str) -> Response:
    profile = await page.api("GET", "/me/profile")
    return await page.render("pages/confirm_email.html.j2", token=token, profile=profile)


@router.post("/confirm-email/{token}")
async def confirm_email(page: SignedInPage, token: str) -> Response:
    await page.form()
    try:
        await page.api("POST", "/me/profile/email/confirm", json={"token": token})
    except GatewayError as error:
        if error.status in (404, 409, 410, 422):
            return await page.render("pages/link_invalid.html.j2", status=error.status)
        raise
    assert page.session is not None
    page.session.account = await page.parts.sessions.fetch_account(
        await page.parts.sessions.access_token(page.session, page.browser), page.browser
    )
    page.changed()
    page.flash("success", "flash.email_confirmed")
    return await page.redirect("/me/profile")


# --------------------------------------------------------------------------- a delegation's page


async def find_delegation(page: Page, delegation_id: str) -> tuple[dict[str, Any], str] | None:
    """The delegation and the caller's side of it ("person" or "delegate"); None when the
    caller is neither (the page then says: not found)."""
    mine = await page.api("GET", "/me/delegations")
    for entry in mine["for_me"]:
        if entry["id"] == delegation_id:
            return entry, "person"
    for entry in mine["by_me"]:
        if entry["id"] == delegation_id:
            return entry, "delegate"
    return None


@router.get("/delegations/{delegation_id}")
async def delegation_page(page: SignedInPage, delegation_id: str) -> Response:
    found = await find_delegation(page, delegation_id)
    if found is None:
        return await page.render(
            "pages/error.html.j2", status=404, title_key="error.not_found.title", text_key="error.not_found.text"
        )
    delegation, side = found
    return await page.render("pages/delegation.html.j2", delegation=delegation, side=side)


@router.post("/delegations/{delegation_id}/consent")
async def delegation_consent(page: SignedInPage, delegation_id: str) -> Response:
    values = await page.form()
    accept = values.get("accept") == "yes"
    await page.api("POST", f"/delegations/{segment(delegation_id)}/consent", json={"accept": accept})
    page.flash("success", "flash.delegation_accepted" if accept else "flash.delegation_declined")
    return await page.redirect(f"/delegations/{delegation_id}")


@router.post("/delegations/{delegation_id}/revoke")
async def delegation_revoke(page: SignedInPage, delegation_id: str) -> Response:
    await page.form()
    await page.api("POST", f"/delegations/{segment(delegation_id)}/revoke")
    page.flash("success", "flash.delegation_revoked")
    return await page.redirect(f"/delegations/{delegation_id}")
