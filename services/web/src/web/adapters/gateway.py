"""The gateway's public HTTP API, over httpx: the web front end's only way into Zorgpost."""

from __future__ import annotations

from typing import Any

import httpx

from web.service.ports import BrowserContext, FieldProblem, GatewayError, GatewayUnavailable
from zorgpost_kit.logging import REQUEST_ID_HEADER, current_request_id, get_logger

log = get_logger(__name__)

API_PREFIX = "/api/v1"


class HttpGateway:
    def __init__(self, base_url: str, *, timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, transport=transport)

    async def close(self) -> None:
        await self._client.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, str] | None = None,
        browser: BrowserContext | None = None,
    ) -> Any:
        headers = {"accept": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        if browser is not None:
            # The gateway trusts these from its proxies only (uvicorn's forwarded-allow-ips):
            # identity then records the person's own device and address.
            if browser.ip_address:
                headers["x-forwarded-for"] = browser.ip_address
            if browser.user_agent:
                headers["user-agent"] = browser.user_agent
            headers["accept-language"] = browser.language
        request_id = current_request_id()
        if request_id:
            headers[REQUEST_ID_HEADER] = request_id
        try:
            response = await self._client.request(method, API_PREFIX + path, headers=headers, json=json, params=params)
        except httpx.HTTPError as error:
            log.warning(
                "gateway_unreachable", error=type(error).__name__, path=path.split("/")[1] if "/" in path else ""
            )
            raise GatewayUnavailable from error
        if response.status_code in (502, 503, 504):
            raise GatewayUnavailable
        if response.status_code >= 400:
            raise _problem(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    async def ready(self) -> bool:
        try:
            response = await self._client.get("/healthz")
        except httpx.HTTPError:
            return False
        return response.status_code == 200


def _problem(response: httpx.Response) -> GatewayError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    errors = [
        FieldProblem(str(item.get("field", "")), str(item.get("message", "")))
        for item in body.get("errors") or []
        if isinstance(item, dict)
    ]
    return GatewayError(response.status_code, str(body.get("code") or "error"), str(body.get("detail") or ""), errors)
