"""What the journey routes share: the details of a person, and logging a person in right after their account was made
or an invitation accepted, the way POST /auth/login does (tokens, or a second-factor
challenge when the organisation requires one)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from gateway.clients import ServiceClients
from gateway.openapi import date, email, line, mobile
from gateway.routes.auth import ChallengeOut, TokensOut, login_result
from zorgpost.identity.v1 import identity_pb2

LoginOut = TokensOut | ChallengeOut


class PersonIn(BaseModel):
    """A person's details for an account of their own (12 or older). Every person needs an
    e-mail address of their own (a plus-alias is one) and, where SMS codes are sent, a
    mobile number of their own. Missing fields are refused by identity, all at once."""

    first_name: str = line(max_length=200)
    last_name: str = line(max_length=200)
    email: str = email()
    mobile: str = mobile(required=False)
    birth_date: str = date()
    language: Literal["nl", "en"] = "nl"


async def login_after(
    clients: ServiceClients, username: str, password: str, client: identity_pb2.ClientInfo
) -> LoginOut:
    response = await clients.call(
        clients.identity.Login, identity_pb2.LoginRequest(username=username, password=password, client=client)
    )
    return login_result(response)
