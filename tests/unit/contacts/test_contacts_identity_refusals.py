"""What identity's refusals mean to the contacts service: a caller identity does not let ask
hears 403 and something identity does not know 404, never "try again" (503)."""

from __future__ import annotations

import grpc
import pytest

from contacts.adapters.identity import IdentityRefusedCaller, _refusal
from zorgpost_kit.errors import NotFound, PermissionDenied, Unavailable


def failure(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="refused")


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        (grpc.StatusCode.PERMISSION_DENIED, PermissionDenied),
        (grpc.StatusCode.NOT_FOUND, NotFound),
        (grpc.StatusCode.UNAUTHENTICATED, IdentityRefusedCaller),
        (grpc.StatusCode.UNAVAILABLE, Unavailable),
        (grpc.StatusCode.DEADLINE_EXCEEDED, Unavailable),
        (grpc.StatusCode.INTERNAL, Unavailable),
    ],
)
def test_an_identity_refusal_is_told_as_what_it_means(code: grpc.StatusCode, meaning: type[Exception]) -> None:
    answer = _refusal(failure(code))
    assert isinstance(answer, meaning)
    if meaning is not Unavailable:
        assert not isinstance(answer, Unavailable)
