"""SMS providers against a real HTTP server on 127.0.0.1 that plays the provider: what is
posted (outbox JSON, a configured JSON or form body with the auth header), and which of
the provider's answers are accepted, retried later or refused for good."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import pytest
import pytest_asyncio
from pydantic import SecretStr

from notifications.adapters.sms import HttpSmsConfig, HttpSmsSender, fill, sms_sender
from notifications.config import Settings, SmsBodyFormat, SmsProviderKind
from notifications.service.ports import DeliveryFailed

CODE_TEXT = 'Uw Zorgpost-code is 123456. Geldig tot 14:35. "quoted" \\ {to}'


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int
    body: str = "{}"
    #: Seconds to wait before answering (a slow provider).
    delay: float = 0.0


@dataclass
class ProviderPlay:
    """An HTTP server that records each request and answers from a script (then 200)."""

    answers: list[Answer] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in header_lines if line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Request(method, path, headers, body))
            answer = self.answers.pop(0) if self.answers else Answer(200)
            await asyncio.sleep(answer.delay)
            payload = answer.body.encode()
            writer.write(
                f"HTTP/1.1 {answer.status} X\r\ncontent-type: application/json\r\n"
                f"content-length: {len(payload)}\r\nconnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest_asyncio.fixture
async def provider() -> AsyncIterator[ProviderPlay]:
    play = ProviderPlay()
    server = await asyncio.start_server(play.handle, "127.0.0.1", 0)
    play.port = server.sockets[0].getsockname()[1]
    try:
        yield play
    finally:
        server.close()
        await server.wait_closed()


def generic(port: int, **overrides: object) -> HttpSmsSender:
    config: dict[str, object] = {
        "url": f"http://127.0.0.1:{port}/v1/messages",
        "body_template": '{"messages": {"msg": [{"to": [{"number": "{to}"}], "body": {"content": "{text}"},'
        ' "from": "{sender}", "reference": "{reference}"}]}}',
        "headers": {"X-CM-PRODUCTTOKEN": "geheim-token"},
        "timeout_seconds": 2.0,
        **overrides,
    }
    return HttpSmsSender(HttpSmsConfig(**config))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- what is posted
async def test_the_development_outbox_gets_to_and_text_as_json(provider: ProviderPlay) -> None:
    sender = sms_sender(Settings(sms_outbox_url=f"http://127.0.0.1:{provider.port}/api/sms"))
    provider.answers.append(Answer(201, '{"id": "abc"}'))

    await sender.send("+31612345678", CODE_TEXT, reference="delivery-1")

    [request] = provider.requests
    assert (request.method, request.path) == ("POST", "/api/sms")
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == {"to": "+31612345678", "text": CODE_TEXT}


async def test_the_generic_provider_posts_its_template_with_the_auth_header(provider: ProviderPlay) -> None:
    await generic(provider.port, sender="Gemeente").send("+31612345678", CODE_TEXT, reference="delivery-1")

    [request] = provider.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-cm-producttoken"] == "geheim-token"
    # Quotes, backslashes and braces in the text stay text: the JSON is built, not spliced.
    assert json.loads(request.body) == {
        "messages": {
            "msg": [
                {
                    "to": [{"number": "+31612345678"}],
                    "body": {"content": CODE_TEXT},
                    "from": "Gemeente",
                    "reference": "delivery-1",
                }
            ]
        }
    }


async def test_a_form_provider_gets_the_fields_url_encoded(provider: ProviderPlay) -> None:
    sender = generic(
        provider.port,
        body_format=SmsBodyFormat.FORM,
        body_template='{"recipients": "{to}", "body": "{text}", "originator": "{sender}"}',
        headers={"Authorization": "AccessKey test-key"},
    )

    await sender.send("+31612345678", "Uw Zorgpost-code is 123456.", reference="delivery-1")

    [request] = provider.requests
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["authorization"] == "AccessKey test-key"
    assert parse_qs(request.body.decode()) == {
        "recipients": ["+31612345678"],
        "body": ["Uw Zorgpost-code is 123456."],
        "originator": ["Zorgpost"],
    }


def test_the_generic_provider_is_built_from_settings() -> None:
    settings = Settings(
        sms_provider=SmsProviderKind.HTTP,
        sms_http_url="https://gw.example.nl/sms",
        sms_http_auth_header="X-Token",
        sms_http_auth_value=SecretStr("s3cret"),
        sms_http_success_statuses=[200],
        sms_http_success_body_contains='"accepted"',
    )

    config = sms_sender(settings)._config

    assert (config.url, dict(config.headers), config.success_statuses, config.success_body_contains) == (
        "https://gw.example.nl/sms",
        {"X-Token": "s3cret"},
        frozenset({200}),
        '"accepted"',
    )


def test_a_body_template_that_is_not_json_is_refused_at_start() -> None:
    with pytest.raises(ValueError):
        HttpSmsConfig(url="https://gw.example.nl", body_template='to={to}&text="{text}"')
    with pytest.raises(ValueError, match="flat JSON object"):
        HttpSmsConfig(url="https://gw.example.nl", body_template='{"a": {"b": "{to}"}}', body_format=SmsBodyFormat.FORM)


def test_placeholders_are_filled_everywhere_but_keys_stay() -> None:
    template = {"{to}": ["{to}", 1, None, {"x": "a {text} b"}]}

    assert fill(template, {"to": "+31", "text": "hoi"}) == {"{to}": ["+31", 1, None, {"x": "a hoi b"}]}


# --------------------------------------------------------------------------- the provider's answers
@pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 408])
async def test_a_provider_that_is_down_or_busy_is_tried_again_later(provider: ProviderPlay, status: int) -> None:
    provider.answers.append(Answer(status, '{"error": "Uw Zorgpost-code is 123456"}'))

    with pytest.raises(DeliveryFailed) as failed:
        await generic(provider.port).send("+31612345678", "Uw Zorgpost-code is 123456.", reference="d")

    assert failed.value.permanent is False
    assert failed.value.reason == f"SMS provider answered {status}"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_a_provider_that_refuses_the_request_is_not_asked_again(provider: ProviderPlay, status: int) -> None:
    provider.answers.append(Answer(status, '{"error": "invalid number +31612345678"}'))

    with pytest.raises(DeliveryFailed) as failed:
        await generic(provider.port).send("+31612345678", "Uw Zorgpost-code is 123456.", reference="d")

    assert failed.value.permanent is True
    # The provider's answer may echo the number or text: it is not kept.
    assert failed.value.reason == f"SMS provider answered {status}"


async def test_success_needs_the_configured_confirmation_in_the_answer(provider: ProviderPlay) -> None:
    sender = generic(provider.port, success_statuses=frozenset({200}), success_body_contains='"errorCode": 0')
    provider.answers += [
        Answer(200, '{"errorCode": 0, "details": "Created 1 message"}'),
        Answer(200, '{"errorCode": 7}'),
    ]

    await sender.send("+31612345678", "tekst", reference="d1")
    with pytest.raises(DeliveryFailed) as failed:
        await sender.send("+31612345678", "tekst", reference="d2")

    assert failed.value.permanent is True
    assert failed.value.reason == "SMS provider answered 200 without confirming"


async def test_a_provider_that_does_not_answer_in_time_is_tried_again_later(provider: ProviderPlay) -> None:
    provider.answers.append(Answer(200, delay=2.0))

    async with asyncio.timeout(5):
        with pytest.raises(DeliveryFailed) as failed:
            await generic(provider.port, timeout_seconds=0.3).send("+31612345678", "tekst", reference="d")

    assert (failed.value.permanent, failed.value.reason) == (False, "SMS provider timed out")


async def test_a_provider_that_is_not_listening_is_tried_again_later() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(DeliveryFailed) as failed:
        await generic(port).send("+31612345678", "tekst", reference="d")

    assert failed.value.permanent is False
    assert failed.value.reason.startswith("SMS provider unreachable")
