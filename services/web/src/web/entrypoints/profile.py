"""The profile (seed 1: Algemeen, E-mailinstellingen, Machtigingen, Apparaten; seed 4:
switching portals, two-factor authentication): what a person sets about themselves."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.access_requests import may_request_access
from web.entrypoints.context import LANGUAGE_COOKIE, Page, SignedInPage
from web.entrypoints.paths import segment
from web.forms import checked
from web.service.ports import GatewayError

router = APIRouter()

PROFILE_FIELDS = {
    "first_name": "person.first_name",
    "last_name": "person.last_name",
    "country": "person.country",
    "email": "person.email",
    "mobile": "person.mobile",
    "current_password": "password.current_for_contact",
}
MOBILE_FIELDS = {"code": "profile.mobile_code"}
LANGUAGE_FIELDS = {"language": "person.language"}
#: Countries a person picks from (ISO 3166-1 alpha-2); Dutch and Belgian care first.
COUNTRIES = ("NL", "BE", "DE", "FR", "GB", "LU")
DIGEST_CHOICES = (0, 15, 60, 240, 1440)


async def _refresh_account(page: Page) -> None:
    assert page.session is not None
    page.session.account = await page.parts.sessions.fetch_account(
        await page.parts.sessions.access_token(page.session, page.browser), page.browser
    )
    page.changed()


# --------------------------------------------------------------------------- general


@router.get("/me")
async def me(page: SignedInPage) -> Response:
    return await page.redirect("/me/profile")


@router.get("/me/profile")
async def profile_form(page: SignedInPage) -> Response:
    profile = await page.api("GET", "/me/profile")
    form = page.new_form(PROFILE_FIELDS, {**profile, "mobile": profile.get("mobile") or ""})
    return await page.render("pages/profile.html.j2", profile=profile, form=form, countries=COUNTRIES, tab="general")


@router.post("/me/profile")
async def save_profile(page: SignedInPage) -> Response:
    values = await page.form()
    profile = await page.api("GET", "/me/profile")
    patch: dict[str, Any] = {
        "first_name": values.get("first_name", ""),
        "last_name": values.get("last_name", ""),
        "country": values.get("country", ""),
    }
    email = values.get("email", "").strip()
    mobile = values.get("mobile", "").strip()
    if email and email != profile["email"]:
        patch["email"] = email
    if mobile != (profile.get("mobile") or ""):
        patch["mobile"] = mobile
    if "email" in patch or "mobile" in patch:
        patch["current_password"] = values.get("current_password", "")
    form = page.new_form(PROFILE_FIELDS, {k: v for k, v in values.items() if k != "current_password"})
    try:
        updated = await page.api("PATCH", "/me/profile", json=patch)
    except GatewayError as error:
        if error.code == "wrong_password" and not error.errors:
            form.error("current_password", "password.current_wrong")
        else:
            form.take(error)
        return await page.render(
            "pages/profile.html.j2", status=error.status, profile=profile, form=form, countries=COUNTRIES, tab="general"
        )
    await _refresh_account(page)
    page.flash("success", "flash.profile_saved")
    if updated.get("pending_email") and "email" in patch:
        page.flash("info", "flash.email_pending", email=updated["pending_email"])
    if updated.get("pending_mobile") and "mobile" in patch:
        page.flash("info", "flash.mobile_pending", mobile=updated["pending_mobile"])
    return await page.redirect("/me/profile")


@router.post("/me/profile/mobile")
async def confirm_mobile(page: SignedInPage) -> Response:
    values = await page.form()
    profile = await page.api("GET", "/me/profile")
    code_form = page.new_form(MOBILE_FIELDS)
    try:
        await page.api("POST", "/me/profile/mobile/confirm", json={"code": "".join(values.get("code", "").split())})
    except GatewayError as error:
        if error.status == 401 or (error.code == "incorrect_code" and not error.errors):
            code_form.error("code", "login.code_incorrect")
        else:
            code_form.take(error)
        form = page.new_form(PROFILE_FIELDS, {**profile, "mobile": profile.get("mobile") or ""})
        return await page.render(
            "pages/profile.html.j2",
            status=error.status if error.status != 401 else 422,
            profile=profile,
            form=form,
            code_form=code_form,
            countries=COUNTRIES,
            tab="general",
        )
    page.flash("success", "flash.mobile_confirmed")
    return await page.redirect("/me/profile")


# --------------------------------------------------------------------------- language


@router.get("/me/language")
async def language_form(page: SignedInPage) -> Response:
    profile = await page.api("GET", "/me/profile")
    return await page.render(
        "pages/profile_language.html.j2",
        form=page.new_form(LANGUAGE_FIELDS, {"language": profile["language"]}),
        tab="language",
    )


@router.post("/me/language")
async def save_language(page: SignedInPage) -> Response:
    values = await page.form()
    language = values.get("language", "")
    form = page.new_form(LANGUAGE_FIELDS, {"language": language})
    try:
        await page.api("PATCH", "/me/profile", json={"language": language})
    except GatewayError as error:
        form.take(error)
        return await page.render("pages/profile_language.html.j2", status=error.status, form=form, tab="language")
    await _refresh_account(page)
    page.lang = language if language in ("nl", "en") else page.lang
    page.flash("success", "flash.language_saved")
    response = await page.redirect("/me/language")
    response.set_cookie(
        LANGUAGE_COOKIE,
        page.lang,
        max_age=60 * 60 * 24 * 365,
        httponly=True,
        samesite="lax",
        secure=page.parts.settings.secure_cookies,
        path="/",
    )
    return response


# --------------------------------------------------------------------------- notices


@router.get("/me/notification-preferences")
async def preferences_form(page: SignedInPage) -> Response:
    preferences = await page.api("GET", "/me/notification-preferences")
    return await page.render(
        "pages/profile_notifications.html.j2",
        preferences=preferences,
        form=page.new_form({"language": "notifications.language", "digest_window_minutes": "notifications.digest"}),
        digest_choices=DIGEST_CHOICES,
        tab="notifications",
    )


@router.post("/me/notification-preferences")
async def save_preferences(page: SignedInPage) -> Response:
    values = await page.form()
    current = await page.api("GET", "/me/notification-preferences")
    categories = {
        name: {
            "email": checked(values, f"categories.{name}.email") or entry["mandatory"],
            "sms": checked(values, f"categories.{name}.sms"),
        }
        for name, entry in current["categories"].items()
    }
    try:
        digest = int(values.get("digest_window_minutes", "0") or 0)
    except ValueError:
        digest = -1
    body = {"language": values.get("language") or None, "digest_window_minutes": digest, "categories": categories}
    labels = {"language": "notifications.language", "digest_window_minutes": "notifications.digest"}
    labels.update(
        {
            f"categories.{name}.{channel}": f"notifications.category.{name}"
            for name in categories
            for channel in ("email", "sms")
        }
    )
    form = page.new_form(labels)
    try:
        await page.api("PUT", "/me/notification-preferences", json=body)
    except GatewayError as error:
        form.take(error)
        shown = {
            **current,
            "language": body["language"],
            "digest_window_minutes": digest,
            "categories": {n: {**current["categories"][n], **c} for n, c in categories.items()},
        }
        return await page.render(
            "pages/profile_notifications.html.j2",
            status=error.status,
            preferences=shown,
            form=form,
            digest_choices=DIGEST_CHOICES,
            tab="notifications",
        )
    page.flash("success", "flash.preferences_saved")
    return await page.redirect("/me/notification-preferences")


# --------------------------------------------------------------------------- devices


@router.get("/me/sessions")
async def sessions(page: SignedInPage) -> Response:
    devices = await page.api("GET", "/me/sessions")
    return await page.render("pages/profile_sessions.html.j2", devices=devices, tab="sessions")


@router.post("/me/sessions/revoke-others")
async def revoke_others(page: SignedInPage) -> Response:
    await page.form()
    answer = await page.api("POST", "/me/sessions/revoke-others")
    page.flash("success", "flash.sessions_revoked", count=answer["revoked"])
    return await page.redirect("/me/sessions")


@router.post("/me/sessions/{session_id}/revoke")
async def revoke_session(page: SignedInPage, session_id: str) -> Response:
    await page.form()
    await page.api("DELETE", f"/me/sessions/{segment(session_id)}")
    page.flash("success", "flash.session_revoked")
    return await page.redirect("/me/sessions")


# --------------------------------------------------------------------------- delegations and portals


@router.get("/me/delegations")
async def delegations(page: SignedInPage) -> Response:
    mine = await page.api("GET", "/me/delegations")
    return await page.render("pages/profile_delegations.html.j2", mine=mine, tab="delegations")


@router.get("/portal/switch")
async def portal_switch_form(page: SignedInPage) -> Response:
    mine = await page.api("GET", "/me/delegations")
    # The relation says why one may open the portal: as a parent, or by the person's consent.
    portals = [{"person_id": page.account.id, "name": page.account.display_name, "own": True, "relation": "own"}] + [
        {
            "person_id": d["person"]["account_id"],
            "name": d["person"]["display_name"],
            "own": False,
            "relation": d["kind"],
        }
        for d in mine["by_me"]
        if d["status"] == "active"
    ]
    current = page.session.acting.person_id if page.session is not None and page.session.acting else page.account.id
    return await page.render(
        "pages/portal_switch.html.j2",
        portals=portals,
        preferred=mine["preferred_person_id"] or page.account.id,
        current=current,
        may_request_access=await may_request_access(page),
    )


@router.post("/portal/switch")
async def portal_switch(page: SignedInPage) -> Response:
    values = await page.form()
    person_id = values.get("person_id", "")
    assert page.session is not None
    if not person_id or person_id == page.account.id:
        page.session.acting = None
        page.changed()
        page.flash("success", "flash.portal_own")
        return await page.redirect("/")
    acting = await page.parts.sessions.act_as(page.session, person_id, page.browser)
    page.flash("success", "flash.portal_switched", name=acting.person_name)
    return await page.redirect("/")


@router.post("/portal/preferred")
async def portal_preferred(page: SignedInPage) -> Response:
    values = await page.form()
    await page.api("PUT", "/me/preferred-portal", json={"person_id": values.get("person_id", "")})
    page.flash("success", "flash.portal_preferred_saved")
    return await page.redirect("/portal/switch")


# --------------------------------------------------------------------------- security


ENROL_FIELDS = {"method": "security.method", "password": "password.current"}
CONFIRM_FIELDS = {"code": "login.code"}


@router.get("/me/security")
async def security(page: SignedInPage) -> Response:
    factors = await page.api("GET", "/me/second-factors")
    question = await page.api("GET", "/me/secret-question")
    return await page.render(
        "pages/profile_security.html.j2",
        factors=factors,
        question=question.get("question"),
        form=page.new_form(ENROL_FIELDS, {"method": "totp"}),
        tab="security",
    )


@router.post("/me/security/second-factor")
async def start_enrolment(page: SignedInPage) -> Response:
    values = await page.form()
    method = values.get("method", "")
    form = page.new_form(ENROL_FIELDS, {"method": method})
    try:
        enrolment = await page.api(
            "POST", "/me/second-factors", json={"method": method, "password": values.get("password", "")}
        )
    except GatewayError as error:
        if error.code == "wrong_password" and not error.errors:
            form.error("password", "password.current_wrong")
        else:
            form.take(error)
        factors = await page.api("GET", "/me/second-factors")
        question = await page.api("GET", "/me/secret-question")
        return await page.render(
            "pages/profile_security.html.j2",
            status=error.status,
            factors=factors,
            question=question.get("question"),
            form=form,
            tab="security",
        )
    page.set_pending("enrolment", enrolment)
    return await page.redirect(f"/me/security/second-factor/{method}")


@router.get("/me/security/second-factor/{method}")
async def enrolment_form(page: SignedInPage, method: str) -> Response:
    enrolment = page.pending("enrolment")
    if not enrolment or enrolment.get("method") != method:
        return await page.redirect("/me/security")
    return await page.render(
        "pages/security_confirm.html.j2", enrolment=enrolment, form=page.new_form(CONFIRM_FIELDS), tab="security"
    )


@router.post("/me/security/second-factor/{method}")
async def confirm_enrolment(page: SignedInPage, method: str) -> Response:
    values = await page.form()
    enrolment = page.pending("enrolment")
    if not enrolment or enrolment.get("method") != method:
        return await page.redirect("/me/security")
    form = page.new_form(CONFIRM_FIELDS)
    try:
        answer = await page.api(
            "POST",
            f"/me/second-factors/{segment(method)}/confirm",
            json={"code": "".join(values.get("code", "").split())},
        )
    except GatewayError as error:
        if error.status == 401 or (error.code == "incorrect_code" and not error.errors):
            form.error("code", "login.code_incorrect")
        else:
            form.take(error)
        return await page.render(
            "pages/security_confirm.html.j2",
            status=422 if error.status == 401 else error.status,
            enrolment=enrolment,
            form=form,
            tab="security",
        )
    page.drop_pending("enrolment")
    return await page.render("pages/security_recovery_codes.html.j2", codes=answer["recovery_codes"], tab="security")
