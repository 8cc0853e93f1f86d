"""/api/v1/me/profile: one's names, language, country, e-mail address and mobile number.
A new address is confirmed by the link mailed to it, a new number by an SMS code."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.deps import Clients, CurrentCaller
from gateway.openapi import SINGLE_LINE, errors
from zorgpost.identity.v1 import accounts_pb2

router = APIRouter(tags=["profile"])


class ProfileOut(BaseModel):
    account_id: str
    first_name: str
    last_name: str
    display_name: str
    email: str
    mobile: str | None
    language: str
    country: str
    birth_date: str | None
    #: Waiting for confirmation at the new address / on the new number.
    pending_email: str | None
    pending_mobile: str | None


class ProfilePatch(BaseModel):
    """Fields left out stay as they are."""

    first_name: str | None = Field(default=None, max_length=200, json_schema_extra={"pattern": SINGLE_LINE})
    last_name: str | None = Field(default=None, max_length=200, json_schema_extra={"pattern": SINGLE_LINE})
    language: Literal["nl", "en"] | None = None
    country: str | None = Field(
        default=None, max_length=10, description="ISO 3166-1 alpha-2", json_schema_extra={"pattern": "^[A-Za-z]{2}$"}
    )
    email: str | None = Field(default=None, max_length=320, json_schema_extra={"format": "email"})
    #: "" removes the number.
    mobile: str | None = Field(
        default=None, max_length=40, json_schema_extra={"anyOf": [{"format": "mobile"}, {"maxLength": 0}]}
    )
    #: Required when ``email`` or ``mobile`` changes.
    current_password: str | None = Field(default=None, max_length=1024)


class EmailConfirmIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class MobileConfirmIn(BaseModel):
    code: str = Field(min_length=1, max_length=20)


def _profile(message: accounts_pb2.Profile) -> ProfileOut:
    return ProfileOut(
        account_id=message.account_id,
        first_name=message.first_name,
        last_name=message.last_name,
        display_name=message.display_name,
        email=message.email,
        mobile=message.mobile or None,
        language=message.language,
        country=message.country,
        birth_date=message.birth_date or None,
        pending_email=message.pending_email or None,
        pending_mobile=message.pending_mobile or None,
    )


@router.get("/me/profile", response_model=ProfileOut, responses=errors(404))
async def get_profile(caller: CurrentCaller, clients: Clients) -> ProfileOut:
    message = await clients.call(clients.profiles.GetProfile, accounts_pb2.GetProfileRequest(), caller)
    return _profile(message)


@router.patch("/me/profile", response_model=ProfileOut, responses=errors(404, 409, 429))
async def update_profile(body: ProfilePatch, caller: CurrentCaller, clients: Clients) -> ProfileOut:
    """Names, language and country change at once; a new e-mail address or mobile number
    is pending until confirmed and needs ``current_password``. 422 names every bad field
    and then nothing changes."""
    message = await clients.call(
        clients.profiles.UpdateProfile, accounts_pb2.UpdateProfileRequest(**body.model_dump(exclude_none=True)), caller
    )
    return _profile(message)


@router.post("/me/profile/email/confirm", response_model=ProfileOut, responses=errors(404, 409))
async def confirm_email(body: EmailConfirmIn, caller: CurrentCaller, clients: Clients) -> ProfileOut:
    """The token from the link mailed to the new address."""
    message = await clients.call(
        clients.profiles.ConfirmEmailChange, accounts_pb2.ConfirmEmailChangeRequest(token=body.token), caller
    )
    return _profile(message)


@router.post("/me/profile/mobile/confirm", response_model=ProfileOut, responses=errors(404, 409))
async def confirm_mobile(body: MobileConfirmIn, caller: CurrentCaller, clients: Clients) -> ProfileOut:
    """The code sent by SMS to the new number."""
    message = await clients.call(
        clients.profiles.ConfirmMobileChange, accounts_pb2.ConfirmMobileChangeRequest(code=body.code), caller
    )
    return _profile(message)
