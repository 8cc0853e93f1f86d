"""Staff pages: sending a secure mail and its delivery status, the invitations sent, accounts
made by the practice, registrations to approve, delegations; for administrators the
organisation's contact data and its security policy. The shared inbox is in
:mod:`web.entrypoints.inbox`, the administrators' staff and teams in
:mod:`web.entrypoints.administration`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.context import AdminPage, StaffPage
from web.entrypoints.paths import segment
from web.forms import checked
from web.service.ports import GatewayError

router = APIRouter(prefix="/staff")

SECURE_MAIL_FIELDS = {
    "recipient_email": "mail.recipient_email",
    "recipient_mobile": "mail.recipient_mobile",
    "subject": "mail.subject",
    "body": "mail.body",
}
CLIENT_FIELDS = {
    "first_name": "person.first_name",
    "last_name": "person.last_name",
    "email": "person.email",
    "mobile": "person.mobile",
    "birth_date": "person.birth_date",
    "language": "person.language",
}
DELEGATION_FIELDS = {
    "delegate_account_id": "delegation.delegate_account_id",
    "person_account_id": "delegation.person_account_id",
    "child.first_name": "delegation.child_first_name",
    "child.last_name": "delegation.child_last_name",
    "child.birth_date": "delegation.child_birth_date",
}
POLICY_FIELDS = {
    "password_preset": "policy.password_preset",
    "second_factor": "policy.second_factor",
    "code_lifetime_seconds": "policy.code_lifetime_seconds",
    "lockout_threshold": "policy.lockout_threshold",
    "lockout_step_seconds": "policy.lockout_step_seconds",
    "lockout_max_seconds": "policy.lockout_max_seconds",
    "max_failures_per_hour": "policy.max_failures_per_hour",
    "secret_question": "policy.secret_question",
}
ORGANISATION_FIELDS = {
    "email": "organisation.email",
    "phone": "organisation.phone",
    "website": "organisation.website",
    "visiting_address": "organisation.visiting_address",
    "postal_address": "organisation.postal_address",
}


@router.get("")
async def staff_home(page: StaffPage) -> Response:
    try:
        requested = await page.api("GET", "/registrations", params={"status": "requested"})
    except GatewayError:
        requested = []
    try:
        inbox = await page.api("GET", "/secure-mail-inbox", params={"folder": "received", "limit": "1"})
        unread = int(inbox["unread_threads"])
    except GatewayError:
        unread = 0
    return await page.render("pages/staff_home.html.j2", requested=len(requested), unread=unread)


# --------------------------------------------------------------------------- secure mail


@router.get("/secure-mails/new")
async def secure_mail_form(page: StaffPage) -> Response:
    return await page.render("pages/staff_secure_mail.html.j2", form=page.new_form(SECURE_MAIL_FIELDS))


@router.post("/secure-mails/new")
async def send_secure_mail(page: StaffPage) -> Response:
    values = await page.form()
    form = page.new_form(SECURE_MAIL_FIELDS, values)
    body: dict[str, Any] = {name: values.get(name, "") for name in SECURE_MAIL_FIELDS}
    body["recipient_mobile"] = body["recipient_mobile"].strip() or None
    try:
        mail = await page.api("POST", "/secure-mails", json=body)
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/staff_secure_mail.html.j2", status=error.status, form=form)
    page.flash("success", "flash.secure_mail_sent", email=mail["recipient_email"])
    return await page.redirect(f"/staff/secure-mails/{mail['id']}")


@router.get("/secure-mails/{mail_id}")
async def secure_mail_status(page: StaffPage, mail_id: str) -> Response:
    deliveries = await page.api("GET", f"/secure-mails/{segment(mail_id)}/deliveries")
    return await page.render("pages/staff_secure_mail_status.html.j2", mail_id=mail_id, deliveries=deliveries)


# --------------------------------------------------------------------------- invitations


@router.get("/invitations")
async def invitations(page: StaffPage) -> Response:
    """The invitations sent; a new one is sent from within its conversation."""
    listed = await page.api("GET", "/invitations")
    return await page.render("pages/staff_invitations.html.j2", invitations=listed)


@router.post("/invitations/{invitation_id}/{action}")
async def invitation_action(page: StaffPage, invitation_id: str, action: str) -> Response:
    await page.form()
    if action not in ("revoke", "resend"):
        return await page.redirect("/staff/invitations")
    await page.api("POST", f"/invitations/{segment(invitation_id)}/{segment(action)}")
    page.flash("success", f"flash.invitation_{action}")
    return await page.redirect("/staff/invitations")


# --------------------------------------------------------------------------- client accounts (seed 4)


@router.get("/client-accounts/new")
async def client_account_form(page: StaffPage) -> Response:
    return await page.render(
        "pages/staff_client_account.html.j2", form=page.new_form(CLIENT_FIELDS, {"language": "nl"}), created=None
    )


@router.post("/client-accounts/new")
async def create_client_account(page: StaffPage) -> Response:
    values = await page.form()
    form = page.new_form(CLIENT_FIELDS, values)
    try:
        created = await page.api(
            "POST", "/client-accounts", json={name: values.get(name, "") for name in CLIENT_FIELDS}
        )
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/staff_client_account.html.j2", status=error.status, form=form, created=None)
    page.flash("success", "flash.client_account_created", email=created["email"])
    return await page.render(
        "pages/staff_client_account.html.j2", form=page.new_form(CLIENT_FIELDS, {"language": "nl"}), created=created
    )


@router.post("/client-accounts/{account_id}/activation")
async def resend_activation(page: StaffPage, account_id: str) -> Response:
    await page.form()
    await page.api("POST", f"/client-accounts/{segment(account_id)}/activation")
    page.flash("success", "flash.activation_resent")
    return await page.redirect("/staff/client-accounts/new")


# --------------------------------------------------------------------------- registrations (seed 5)


@router.get("/registrations")
async def registrations(page: StaffPage, status: str = "requested") -> Response:
    params = {"status": status} if status in ("requested", "approved", "rejected", "completed") else {}
    listed = await page.api("GET", "/registrations", params=params)
    return await page.render("pages/staff_registrations.html.j2", registrations=listed, current_status=status)


@router.post("/registrations/{registration_id}/{action}")
async def registration_action(page: StaffPage, registration_id: str, action: str) -> Response:
    await page.form()
    if action not in ("approve", "reject"):
        return await page.redirect("/staff/registrations")
    decided = await page.api("POST", f"/registrations/{segment(registration_id)}/{segment(action)}")
    page.flash("success", f"flash.registration_{action}d", email=decided["email"])
    return await page.redirect("/staff/registrations")


# --------------------------------------------------------------------------- delegations


@router.get("/delegations/new")
async def delegation_form(page: StaffPage) -> Response:
    return await page.render("pages/staff_delegation.html.j2", form=page.new_form(DELEGATION_FIELDS), created=None)


@router.post("/delegations/new")
async def grant_delegation(page: StaffPage) -> Response:
    values = await page.form()
    form = page.new_form(DELEGATION_FIELDS, values)
    body: dict[str, Any] = {
        "delegate_account_id": values.get("delegate_account_id", "").strip(),
        "person_account_id": values.get("person_account_id", "").strip(),
    }
    if not body["person_account_id"]:
        body["child"] = {
            "first_name": values.get("child.first_name", ""),
            "last_name": values.get("child.last_name", ""),
            "birth_date": values.get("child.birth_date", ""),
        }
    try:
        created = await page.api("POST", "/delegations", json=body)
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/staff_delegation.html.j2", status=error.status, form=form, created=None)
    page.flash("success", "flash.delegation_granted")
    return await page.render("pages/staff_delegation.html.j2", form=page.new_form(DELEGATION_FIELDS), created=created)


# --------------------------------------------------------------------------- organisation


#: The pages that link to the organisation form and take the administrator back after
#: saving. Only these exact paths: a ``next`` the form was given is never followed elsewhere.
ORGANISATION_RETURN_PATHS = frozenset({"/ecounter/organisation"})


def _organisation_return(value: str | None) -> str | None:
    return value if value in ORGANISATION_RETURN_PATHS else None


@router.get("/organisation")
async def organisation_form(page: AdminPage, next: str = "") -> Response:
    profile = await page.api("GET", "/organisation/profile")
    return await page.render(
        "pages/staff_organisation.html.j2",
        form=page.new_form(ORGANISATION_FIELDS, profile),
        back=_organisation_return(next),
    )


@router.post("/organisation")
async def save_organisation(page: AdminPage) -> Response:
    """Saves all five fields at once; a malformed e-mail address or URL keeps the form in
    edit mode with the message beside the field, and nothing is saved (the service checks
    all fields before it changes any)."""
    values = await page.form()
    back = _organisation_return(values.get("next"))
    form = page.new_form(ORGANISATION_FIELDS, values)
    try:
        await page.api(
            "PUT", "/organisation/profile", json={name: values.get(name, "").strip() for name in ORGANISATION_FIELDS}
        )
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/staff_organisation.html.j2", status=error.status, form=form, back=back)
    page.flash("success", "flash.organisation_saved")
    return await page.redirect(back or "/staff/organisation")


@router.get("/security-policy")
async def policy_form(page: AdminPage) -> Response:
    policy = await page.api("GET", "/organisation/security-policy")
    return await page.render(
        "pages/staff_security_policy.html.j2", policy=policy, form=page.new_form(POLICY_FIELDS, policy)
    )


@router.post("/security-policy")
async def save_policy(page: AdminPage) -> Response:
    values = await page.form()
    form = page.new_form(POLICY_FIELDS, {**values, "secret_question": checked(values, "secret_question")})
    numbers: dict[str, int] = {}
    for name in (
        "code_lifetime_seconds",
        "lockout_threshold",
        "lockout_step_seconds",
        "lockout_max_seconds",
        "max_failures_per_hour",
    ):
        try:
            numbers[name] = int(values.get(name, "").strip())
        except ValueError:
            form.error(name, "form.whole_number")
    policy = await page.api("GET", "/organisation/security-policy")
    if form.failed:
        return await page.render("pages/staff_security_policy.html.j2", status=422, policy=policy, form=form)
    try:
        await page.api(
            "PUT",
            "/organisation/security-policy",
            json={
                "password_preset": values.get("password_preset", ""),
                "second_factor": values.get("second_factor", ""),
                **numbers,
                "secret_question": checked(values, "secret_question"),
            },
        )
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/staff_security_policy.html.j2", status=error.status, policy=policy, form=form)
    page.flash("success", "flash.policy_saved")
    return await page.redirect("/staff/security-policy")
