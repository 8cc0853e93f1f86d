"""The gateway's public HTTP API, over httpx: the web front end's only way into Zorgpost."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import httpx

from web.service.ports import BrowserContext, FieldProblem, FilePart, GatewayError, GatewayUnavailable
from zorgpost_kit.logging import REQUEST_ID_HEADER, current_request_id, get_logger

log = get_logger(__name__)

API_PREFIX = "/api/v1"
#: Uploads and downloads may take longer than a page's calls (the gateway allows 120 s).
TRANSFER_TIMEOUT_SECONDS = 120.0
#: An idle connection is dropped well before the gateway's server closes it (uvicorn: 5 s):
#: a request on a connection the server is closing at that moment fails half-way.
KEEPALIVE_EXPIRY_SECONDS = 2.0


class HttpGateway:
    def __init__(self, base_url: str, *, timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS),
        )
        self._timeout = timeout

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
        try:
            response = await self._client.request(
                method, API_PREFIX + path, headers=_headers(token, browser), json=json, params=params
            )
        except httpx.HTTPError as error:
            _unreachable(error, path)
            raise GatewayUnavailable from error
        return _answer(response)

    async def send_files(
        self,
        path: str,
        *,
        token: str,
        fields: Mapping[str, str | list[str]],
        files: Sequence[FilePart],
        browser: BrowserContext | None = None,
        file_field: str = "files",
    ) -> Any:
        if not files:
            # httpx would send a urlencoded form; the gateway takes these fields as JSON too.
            return await self.call("POST", path, token=token, json=dict(fields), browser=browser)
        parts = [(file_field, (part.file_name, part.content, part.content_type)) for part in files]
        try:
            response = await self._client.post(
                API_PREFIX + path,
                headers=_headers(token, browser),
                data=dict(fields),
                files=parts,
                timeout=TRANSFER_TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as error:
            _unreachable(error, path)
            raise GatewayUnavailable from error
        return _answer(response)

    async def open_stream(
        self,
        path: str,
        *,
        token: str,
        headers: Mapping[str, str] | None = None,
        params: dict[str, str] | None = None,
        browser: BrowserContext | None = None,
        idle_timeout: float | None = None,
    ) -> HttpStream:
        request = self._client.build_request(
            "GET",
            API_PREFIX + path,
            headers={**_headers(token, browser), **(headers or {})},
            params=params,
            timeout=httpx.Timeout(self._timeout, read=idle_timeout or TRANSFER_TIMEOUT_SECONDS),
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as error:
            _unreachable(error, path)
            raise GatewayUnavailable from error
        if response.status_code >= 400:
            try:
                await response.aread()
            except httpx.HTTPError as error:
                raise GatewayUnavailable from error
            finally:
                await response.aclose()
            _answer(response)
        return HttpStream(response)

    async def ready(self) -> bool:
        try:
            response = await self._client.get("/healthz")
        except httpx.HTTPError:
            return False
        return response.status_code == 200


class HttpStream:
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_raw():
                yield chunk
        except httpx.HTTPError as error:
            # The gateway went away mid-stream: the reader sees the stream end.
            log.info("gateway_stream_ended", error=type(error).__name__)
        finally:
            await self._response.aclose()

    async def close(self) -> None:
        await self._response.aclose()


def _headers(token: str | None, browser: BrowserContext | None) -> dict[str, str]:
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
    return headers


def _unreachable(error: httpx.HTTPError, path: str) -> None:
    log.warning("gateway_unreachable", error=type(error).__name__, path=path.split("/")[1] if "/" in path else "")


def _answer(response: httpx.Response) -> Any:
    if response.status_code in (502, 503, 504):
        raise GatewayUnavailable
    if response.status_code >= 400:
        raise _problem(response)
    if response.status_code == 204 or not response.content:
        return None
    return response.json()


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
