"""Sending SMS through an HTTP provider, and telling transient from permanent failures.

One implementation serves both providers: the development outbox (``{"to", "text"}`` JSON
to ``sms_outbox_url``, the default of ``make run``) and a real Dutch SMS gateway, described
by settings: URL, an auth header, a body template and what counts as accepted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from notifications.config import Settings, SmsBodyFormat, SmsProviderKind
from notifications.service.ports import DeliveryFailed

PLACEHOLDERS = ("to", "text", "sender", "reference")
#: Answers that say "not now": the provider is overloaded, down or slow.
_TRANSIENT_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True)
class HttpSmsConfig:
    url: str
    #: JSON whose strings may hold {to}, {text}, {sender} and {reference}.
    body_template: str
    body_format: SmsBodyFormat = SmsBodyFormat.JSON
    headers: Mapping[str, str] = field(default_factory=dict)
    success_statuses: frozenset[int] = frozenset({200, 201, 202})
    success_body_contains: str = ""
    sender: str = "Zorgpost"
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        # Checked when the service starts, not when the first code must go out.
        template = json.loads(self.body_template)
        if self.body_format is SmsBodyFormat.FORM and not (
            isinstance(template, dict) and all(isinstance(value, str | int | float) for value in template.values())
        ):
            raise ValueError("a form body template must be a flat JSON object")


def fill(template: Any, values: Mapping[str, str]) -> Any:
    """The template with every {placeholder} in its strings replaced by its value."""
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", value)
        return template
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    return template


class HttpSmsSender:
    """Posts one SMS per request. Accepted: a success status (and the success text, when
    configured). Retried: timeouts, unreachable, 408/425/429 and 5xx. Anything else is
    permanent: the provider understood and said no, and asking again would say no again.

    Failure reasons name the status only: a provider's answer may echo the text (a code).
    """

    def __init__(self, config: HttpSmsConfig) -> None:
        self._config = config

    async def send(self, to: str, text: str, *, reference: str) -> None:
        config = self._config
        body = fill(
            json.loads(config.body_template),
            {"to": to, "text": text, "sender": config.sender, "reference": reference},
        )
        content: dict[str, Any] = {"json": body} if config.body_format is SmsBodyFormat.JSON else {"data": body}
        try:
            async with httpx.AsyncClient(timeout=config.timeout_seconds) as client:
                response = await client.post(config.url, headers=dict(config.headers), **content)
        except httpx.TimeoutException:
            raise DeliveryFailed("SMS provider timed out", permanent=False) from None
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"SMS provider unreachable: {type(error).__name__}", permanent=False) from None
        status = response.status_code
        if status in config.success_statuses:
            if config.success_body_contains and config.success_body_contains not in response.text:
                raise DeliveryFailed(f"SMS provider answered {status} without confirming", permanent=True)
            return
        transient = status >= 500 or status in _TRANSIENT_STATUSES
        raise DeliveryFailed(f"SMS provider answered {status}", permanent=not transient)


def sms_sender(settings: Settings) -> HttpSmsSender:
    """The provider the settings choose."""
    if settings.sms_provider is SmsProviderKind.OUTBOX:
        return HttpSmsSender(
            HttpSmsConfig(
                url=settings.sms_outbox_url,
                body_template='{"to": "{to}", "text": "{text}"}',
                success_statuses=frozenset({200, 201}),
                timeout_seconds=settings.sms_timeout_seconds,
            )
        )
    auth = settings.sms_http_auth_value.get_secret_value()
    return HttpSmsSender(
        HttpSmsConfig(
            url=settings.sms_http_url,
            body_template=settings.sms_http_body_template,
            body_format=settings.sms_http_body_format,
            headers={settings.sms_http_auth_header: auth} if auth else {},
            success_statuses=frozenset(settings.sms_http_success_statuses),
            success_body_contains=settings.sms_http_success_body_contains,
            sender=settings.sms_sender,
            timeout_seconds=settings.sms_timeout_seconds,
        )
    )
