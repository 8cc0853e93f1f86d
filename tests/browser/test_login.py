"""Logging in and out in the browser, with each second factor the seeds name: an SMS
code (seed 5), an e-mail code, an authenticator app set up from its QR code, and a
recovery code when the phone is lost."""

from __future__ import annotations

import uuid

import pyotp
import pytest
from browser_support import Journey, code_in, outbox_messages
from support import create_member, create_staff_member, set_security_policy, unique_mobile

from identity.domain.policy import SecondFactor, SecurityPolicy

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_staff_member_logs_in_after_a_typo_and_logs_out(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)

    await journey.goto("/")
    assert await journey.heading() == "Inloggen"
    await journey.snap("login")
    await journey.page.locator("#field-username").fill(staff.email)
    await journey.page.locator("#field-password").fill("not-the-password")
    await journey.submit()
    assert "Gebruikersnaam of wachtwoord is onjuist" in await journey.text()
    assert await journey.page.locator("#field-username").input_value() == staff.email
    await journey.snap("login-refused")

    await journey.page.locator("#field-password").fill(staff.password)
    await journey.submit()
    assert await journey.heading() == "Organisatie"
    assert staff.organisation_name in await journey.text()
    await journey.snap("staff-start")

    async with journey.page.expect_navigation():
        await journey.page.get_by_role("button", name="Uitloggen").click()
    await journey.checked()
    assert await journey.heading() == "Inloggen"
    assert "U bent uitgelogd" in await journey.text()
    await journey.goto("/me/profile")
    assert await journey.heading() == "Inloggen", "a logged-out browser is sent to the login page"


async def test_a_patient_logs_in_with_the_sms_code_after_a_wrong_one(journey: Journey) -> None:
    practice = await create_staff_member(journey.stack, organisation_name=f"Huisartsenpraktijk {uuid.uuid4().hex[:6]}")
    await set_security_policy(journey.stack, practice.organisation_id, SecurityPolicy(second_factor=SecondFactor.SMS))
    patient = await create_member(journey.stack, practice.organisation_id, mobile=unique_mobile())
    assert patient.mobile is not None

    await journey.log_in(patient.email, patient.password)
    assert await journey.heading() == "Controlecode"
    assert "sms" in await journey.text()
    await journey.snap("sms-code")
    [sms] = await outbox_messages(journey.stack, patient.mobile)
    code = code_in(sms)

    await journey.field("Code").fill(f"{(int(code) + 1) % 10**6:06d}")
    await journey.submit()
    assert await journey.field_error("Code")
    assert await journey.error_summary_links() == ["#field-code"]
    await journey.snap("sms-code-wrong")

    await journey.field("Code").fill(code)
    await journey.submit()
    assert await journey.heading() == "Welkom terug, Test Persoon"
    await journey.snap("patient-home")


async def test_a_person_sets_up_an_authenticator_app_and_later_uses_a_recovery_code(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    person = await create_member(journey.stack, staff.organisation_id)
    await journey.set_language("en")

    await journey.log_in(person.email, person.password)
    await journey.goto("/me/security")
    assert "Two-step verification is off" in await journey.text()
    await journey.snap("security")
    await journey.page.get_by_label("Authenticator app (QR code)").check()
    await journey.field("Current password").fill(person.password)
    await journey.submit("Set up")
    assert await journey.page.locator("img.zp-qr").is_visible()
    secret = (await journey.page.get_by_test_id("totp-secret").inner_text()).strip()
    await journey.snap("security-qr")

    await journey.field("Code").fill(pyotp.TOTP(secret).now())
    await journey.submit("Confirm")
    codes = [c.strip() for c in await journey.page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()]
    assert len(codes) >= 5
    await journey.snap("security-recovery-codes", again=False)

    async with journey.page.expect_navigation():
        await journey.page.get_by_role("button", name="Log out").click()
    await journey.log_in(person.email, person.password)
    assert "authenticator app" in await journey.text()
    await journey.field("Code").fill(codes[0])
    await journey.submit("Continue")
    assert await journey.heading() == "Welcome back, Test Persoon"


async def test_an_email_code_comes_to_the_inbox_and_a_new_one_can_be_asked(journey: Journey) -> None:
    staff = await create_staff_member(journey.stack)
    await set_security_policy(journey.stack, staff.organisation_id, SecurityPolicy(second_factor=SecondFactor.EMAIL))

    await journey.log_in(staff.email, staff.password)
    assert "e-mail" in await journey.text()
    await outbox_messages(journey.stack, staff.email, count=1)
    await journey.submit("Stuur een nieuwe code")
    assert "Er is een nieuwe code verstuurd" in await journey.text()
    newest = (await outbox_messages(journey.stack, staff.email, count=2))[0]
    await journey.field("Code").fill(code_in(newest))
    await journey.submit("Ga verder")
    assert await journey.heading() == "Organisatie"
