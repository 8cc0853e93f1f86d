"""Signing in and out: the start page, login with the second factor, logout, the
language switch, and the password reset from the mailed link."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from web.entrypoints.context import LANGUAGE_COOKIE, Page, PageDep, safe_next
from web.entrypoints.messenger import open_joined_conversation
from web.entrypoints.paths import segment
from web.i18n import LANGUAGES
from web.service.ports import GatewayError

router = APIRouter()

LOGIN_FIELDS = {"username": "login.username", "password": "login.password"}
CODE_FIELDS = {"code": "login.code"}


# --------------------------------------------------------------------------- start page


@router.get("/")
async def home(page: PageDep) -> Response:
    if not page.signed_in:
        return await page.redirect("/login")
    if page.account.password_change_required:
        return await page.redirect("/password/change")
    if page.account.is_staff and page.session is not None and page.session.acting is None:
        return await page.redirect("/staff")
    dashboard = await page.portal_api("GET", "/portal/dashboard")
    waiting: list[dict[str, Any]] = []
    if page.session is not None and page.session.acting is None:
        delegations = await page.api("GET", "/me/delegations")
        waiting = [d for d in delegations["for_me"] if d["status"] == "awaiting_consent"]
        factors = await page.api("GET", "/me/second-factors")
        has_second_factor = any(f["confirmed"] for f in factors["factors"])
    else:
        has_second_factor = True
    return await page.render(
        "pages/home.html.j2", dashboard=dashboard, waiting=waiting, has_second_factor=has_second_factor
    )


@router.get("/terms")
async def terms(page: PageDep) -> Response:
    return await page.render("pages/terms.html.j2", kind="terms")


@router.get("/privacy")
async def privacy(page: PageDep) -> Response:
    return await page.render("pages/terms.html.j2", kind="privacy")


@router.get("/language/{language}")
async def switch_language(page: PageDep, language: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=60 * 60 * 24 * 365,
            httponly=True,
            samesite="lax",
            secure=page.parts.settings.secure_cookies,
            path="/",
        )
    return await page.finish(response)


# --------------------------------------------------------------------------- login


@router.get("/login")
async def login_form(page: PageDep, next: str = "") -> Response:
    if page.signed_in and not next:
        return await page.redirect("/")
    return await page.render("pages/login.html.j2", form=page.new_form(LOGIN_FIELDS), next=safe_next(next, ""))


@router.post("/login")
async def login(page: PageDep) -> Response:
    values = await page.form()
    next_url = safe_next(values.get("next"), "")
    form = page.new_form(LOGIN_FIELDS, {"username": values.get("username", "")})
    if not values.get("username") or not values.get("password"):
        for name in LOGIN_FIELDS:
            if not values.get(name):
                form.error(name, "form.required")
        return await page.render("pages/login.html.j2", status=422, form=form, next=next_url)
    try:
        answer = await page.public_api(
            "POST", "/auth/login", json={"username": values["username"], "password": values["password"]}
        )
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/login.html.j2", status=error.status, form=form, next=next_url)
    return await continue_login(page, answer, next_url)


async def continue_login(
    page: Page, answer: dict[str, Any], next_url: str, *, then: dict[str, Any] | None = None
) -> Response:
    """Tokens: signed in. A challenge: on to the second factor, remembering where to go
    (and what to finish, such as attaching an invitation) afterwards."""
    if "challenge_id" in answer:
        page.set_pending(
            "login",
            {
                "challenge_id": answer["challenge_id"],
                "method": answer["method"],
                "next": next_url,
                "then": then or {},
            },
        )
        return await page.redirect("/login/code")
    await page.sign_in(answer)
    return await after_sign_in(page, next_url, then or {})


async def after_sign_in(page: Page, next_url: str, then: dict[str, Any]) -> Response:
    account = page.account
    if then.get("accept_invitation"):
        token = then["accept_invitation"]
        if account.password_change_required:
            return await page.redirect("/password/change")
        accepted = await page.api("POST", f"/invitations/{segment(token)}/accept")
        # A staff invitation moves the account to the organisation with new roles and
        # revokes its tokens: new ones (identity issues them with the new roles on refresh)
        # and the account read again, so the next page is the new organisation's.
        await page.renew()
        page.flash("success", "flash.invitation_accepted")
        return await open_joined_conversation(page, accepted["thread_id"])
    if account.password_change_required:
        return await page.redirect("/password/change")
    if next_url:
        return await page.redirect(next_url)
    if not account.is_staff:
        # Seed 4: a delegate lands in the portal they chose as their preferred one.
        delegations = await page.api("GET", "/me/delegations")
        preferred = delegations.get("preferred_person_id") or account.id
        if preferred != account.id and page.session is not None:
            try:
                await page.parts.sessions.act_as(page.session, preferred, page.browser)
            except GatewayError:
                pass  # the delegation ended: the own portal it is
    return await page.redirect("/")


@router.get("/login/code")
async def code_form(page: PageDep) -> Response:
    pending = page.pending("login")
    if not pending:
        return await page.redirect("/login")
    return await page.render("pages/login_code.html.j2", form=page.new_form(CODE_FIELDS), method=pending["method"])


@router.post("/login/code")
async def verify_code(page: PageDep) -> Response:
    values = await page.form()
    pending = page.pending("login")
    if not pending:
        return await page.redirect("/login")
    form = page.new_form(CODE_FIELDS)
    code = "".join(values.get("code", "").split())
    if not code:
        form.error("code", "form.required")
        return await page.render("pages/login_code.html.j2", status=422, form=form, method=pending["method"])
    try:
        answer = await page.public_api(
            "POST", "/auth/login/verify", json={"challenge_id": pending["challenge_id"], "code": code}
        )
    except GatewayError as error:
        if error.code in ("login_challenge_ended", "too_many_attempts") or error.status == 404:
            page.drop_pending("login")
            page.flash("error", "flash.login_code_ended")
            return await page.redirect("/login")
        if error.status == 401 and not error.errors:
            form.error("code", "login.code_incorrect")
        else:
            form.take(error)
        return await page.render("pages/login_code.html.j2", status=error.status, form=form, method=pending["method"])
    return await continue_login(page, answer, pending.get("next", ""), then=pending.get("then"))


@router.post("/login/code/resend")
async def resend_code(page: PageDep) -> Response:
    await page.form()
    pending = page.pending("login")
    if not pending:
        return await page.redirect("/login")
    try:
        answer = await page.public_api("POST", "/auth/login/resend", json={"challenge_id": pending["challenge_id"]})
    except GatewayError:
        page.drop_pending("login")
        page.flash("error", "flash.login_code_ended")
        return await page.redirect("/login")
    page.set_pending("login", {**pending, "challenge_id": answer["challenge_id"]})
    page.flash("success", "flash.code_resent")
    return await page.redirect("/login/code")


@router.post("/logout")
async def logout(page: PageDep) -> Response:
    await page.form()
    await page.sign_out()
    page.flash("success", "flash.logged_out")
    return await page.redirect("/login")


# --------------------------------------------------------------------------- password reset

RESET_REQUEST_FIELDS = {"email": "reset.email"}
RESET_FIELDS = {
    "code": "reset.code",
    "secret_answer": "reset.secret_answer",
    "new_password": "password.new",
    "new_password_confirmation": "password.new_confirmation",
}


@router.get("/password-reset")
async def reset_request_form(page: PageDep) -> Response:
    return await page.render("pages/reset_request.html.j2", form=page.new_form(RESET_REQUEST_FIELDS))


@router.post("/password-reset")
async def request_reset(page: PageDep) -> Response:
    values = await page.form()
    form = page.new_form(RESET_REQUEST_FIELDS, {"email": values.get("email", "")})
    if not values.get("email", "").strip():
        form.error("email", "form.required")
        return await page.render("pages/reset_request.html.j2", status=422, form=form)
    try:
        await page.public_api("POST", "/auth/password-reset", json={"email": values["email"].strip()})
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/reset_request.html.j2", status=error.status, form=form)
    return await page.render("pages/reset_requested.html.j2")


@router.get("/password-reset/{token}")
async def reset_start(page: PageDep, token: str) -> Response:
    """Opening the link changes nothing: the code is sent when the person goes on
    (a mail scanner that fetches the link sends no SMS)."""
    return await page.render("pages/reset_start.html.j2", token=token)


@router.post("/password-reset/{token}")
async def reset_open(page: PageDep, token: str) -> Response:
    await page.form()
    try:
        requirements = await page.public_api("POST", "/auth/password-reset/open", json={"token": token})
    except GatewayError as error:
        if error.status in (404, 409, 410, 422):
            return await page.render("pages/reset_invalid.html.j2", status=error.status)
        raise
    page.set_pending("reset", {"token": token, **requirements})
    return await page.redirect(f"/password-reset/{token}/new")


@router.get("/password-reset/{token}/new")
async def reset_form(page: PageDep, token: str) -> Response:
    pending = page.pending("reset")
    if not pending or pending.get("token") != token:
        return await page.redirect(f"/password-reset/{token}")
    return await page.render("pages/reset_form.html.j2", form=page.new_form(RESET_FIELDS), reset=pending, token=token)


@router.post("/password-reset/{token}/new")
async def reset_confirm(page: PageDep, token: str) -> Response:
    values = await page.form()
    pending = page.pending("reset")
    if not pending or pending.get("token") != token:
        return await page.redirect(f"/password-reset/{token}")
    form = page.new_form(
        RESET_FIELDS, {"secret_answer": values.get("secret_answer", ""), "code": values.get("code", "")}
    )
    if pending.get("second_factor") and not values.get("code", "").strip():
        form.error("code", "form.required")
    if pending.get("secret_question") and not values.get("secret_answer", "").strip():
        form.error("secret_answer", "form.required")
    if not values.get("new_password"):
        form.error("new_password", "form.required")
    elif values.get("new_password") != values.get("new_password_confirmation"):
        form.error("new_password_confirmation", "password.mismatch")
    if form.failed:
        return await page.render("pages/reset_form.html.j2", status=422, form=form, reset=pending, token=token)
    try:
        await page.public_api(
            "POST",
            "/auth/password-reset/confirm",
            json={
                "token": token,
                "new_password": values["new_password"],
                "code": "".join(values.get("code", "").split()),
                "secret_answer": values.get("secret_answer", ""),
            },
        )
    except GatewayError as error:
        if error.code == "password_reset_invalid" or error.status == 404:
            page.drop_pending("reset")
            return await page.render("pages/reset_invalid.html.j2", status=error.status)
        if error.code == "incorrect_code" and not error.errors:
            form.error("code", "login.code_incorrect")
        elif error.code == "incorrect_secret_answer" and not error.errors:
            form.error("secret_answer", "reset.secret_answer_incorrect")
        else:
            form.take(error, rules=pending.get("password_rules", []), aliases={"password": "new_password"})
        return await page.render("pages/reset_form.html.j2", status=error.status, form=form, reset=pending, token=token)
    page.drop_pending("reset")
    page.flash("success", "flash.password_reset_done")
    return await page.redirect("/login")
