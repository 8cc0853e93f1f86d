"""The own account's secrets: changing the password (also the forced change after a
temporary password) and the secret question asked in a password reset (seed 4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from web.entrypoints.context import AccountPage, SignedInPage
from web.service.ports import GatewayError

router = APIRouter()

PASSWORD_FIELDS = {
    "current_password": "password.current",
    "new_password": "password.new",
    "new_password_confirmation": "password.new_confirmation",
}
SECRET_QUESTION_FIELDS = {
    "password": "password.current",
    "question": "secret.question",
    "answer": "secret.answer",
}


async def _password_rules(page: AccountPage) -> list[dict[str, str]]:
    """The organisation's rules for the new password, the checklist beside it (the gateway
    answers them also while only the password change is allowed)."""
    answer: dict[str, Any] = await page.api("GET", "/me/password-rules")
    rules: list[dict[str, str]] = answer["password_rules"]
    return rules


@router.get("/password/change")
async def password_form(page: AccountPage) -> Response:
    return await page.render(
        "pages/password_change.html.j2", form=page.new_form(PASSWORD_FIELDS), password_rules=await _password_rules(page)
    )


@router.post("/password/change")
async def change_password(page: AccountPage) -> Response:
    values = await page.form()
    forced = bool(page.account.password_change_required)
    form = page.new_form(PASSWORD_FIELDS)
    for name in ("current_password", "new_password"):
        if not values.get(name):
            form.error(name, "form.required")
    if values.get("new_password") and values.get("new_password") != values.get("new_password_confirmation"):
        form.error("new_password_confirmation", "password.mismatch")
    rules = await _password_rules(page)
    if form.failed:
        return await page.render("pages/password_change.html.j2", status=422, form=form, password_rules=rules)
    try:
        tokens = await page.api(
            "POST",
            "/me/password",
            json={"current_password": values["current_password"], "new_password": values["new_password"]},
        )
    except GatewayError as error:
        if error.code == "wrong_password" and not error.errors:
            form.error("current_password", "password.current_wrong")
        else:
            # Each broken rule in the words of the checklist the page shows.
            form.take(error, rules=rules)
        return await page.render("pages/password_change.html.j2", status=error.status, form=form, password_rules=rules)
    assert page.session is not None
    await page.parts.sessions.replace_tokens(page.session, tokens, page.browser)
    page.flash("success", "flash.password_changed")
    if forced:
        question = await page.api("GET", "/me/secret-question")
        if not question.get("question"):
            return await page.redirect("/me/secret-question?first=1")
    return await page.redirect("/")


@router.get("/me/secret-question")
async def secret_question_form(page: SignedInPage, first: int = 0) -> Response:
    current = await page.api("GET", "/me/secret-question")
    return await page.render(
        "pages/secret_question.html.j2",
        form=page.new_form(SECRET_QUESTION_FIELDS, {"question": current.get("question") or ""}),
        current=current.get("question"),
        first=bool(first),
    )


@router.post("/me/secret-question")
async def set_secret_question(page: SignedInPage) -> Response:
    values = await page.form()
    first = values.get("first") == "1"
    form = page.new_form(SECRET_QUESTION_FIELDS, {"question": values.get("question", "")})
    try:
        await page.api(
            "PUT",
            "/me/secret-question",
            json={
                "password": values.get("password", ""),
                "question": values.get("question", ""),
                "answer": values.get("answer", ""),
            },
        )
    except GatewayError as error:
        if error.code == "wrong_password" and not error.errors:
            form.error("password", "password.current_wrong")
        else:
            form.take(error)
        return await page.render(
            "pages/secret_question.html.j2", status=error.status, form=form, current=None, first=first
        )
    if first:
        # Seed 4: with the new password and the secret question set, the person signs in again.
        await page.sign_out()
        page.flash("success", "flash.secret_question_first")
        return await page.redirect("/login")
    page.flash("success", "flash.secret_question_saved")
    return await page.redirect("/me/security")
