"""What every page that shows a conversation shares, whoever reads it (a person in the
messenger, staff in the shared inbox, the outside recipient of a secure mail): sending a
message with files and putting a refusal next to the right field, and passing a file on
as a download."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi.responses import Response, StreamingResponse

from web.entrypoints.context import Page
from web.entrypoints.paths import segment
from web.forms import Form
from web.service.ports import FilePart, GatewayError, Stream

#: The fields of a message form (text and files), in the order the error summary names them.
MESSAGE_FIELDS = {"body": "conversation.message", "files": "conversation.files"}

#: Headers of the gateway's download passed on as they are.
DOWNLOAD_HEADERS = ("content-type", "content-disposition", "content-length", "x-checksum-sha256")

Send = Callable[[str, dict[str, str], list[FilePart]], Awaitable[Any]]


def refusal_on_form(form: Form, error: GatewayError) -> None:
    """A refused message: a file too large or of a type not allowed belongs next to the
    file field even when the gateway named no field."""
    if error.status in (413, 415) and not error.errors:
        form.error("files", f"problem.{error.code}" if error.code in _FILE_PROBLEMS else "problem.attachment_refused")
        return
    form.take(error)


_FILE_PROBLEMS = {"attachment_too_large", "unsupported_attachment_type"}


async def send_message(
    form: Form, send: Send, thread_id: str, values: dict[str, str], files: list[FilePart]
) -> dict[str, Any] | None:
    """Sends the message (``send`` as the person or guest); None with the problems on
    ``form`` when it is refused (an empty text without files is named before asking)."""
    body = values.get("body", "")
    if not body.strip() and not files:
        form.error("body", "conversation.empty")
        return None
    try:
        message: dict[str, Any] = await send(f"/threads/{segment(thread_id)}/messages", {"body": body}, files)
    except GatewayError as error:
        refusal_on_form(form, error)
        return None
    return message


async def attachment_download(
    page: Page, open_stream: Callable[[str], Awaitable[Stream]], thread_id: str, attachment_id: str
) -> Response:
    """A conversation's file, opened with ``open_stream`` (one's own token, or the one of
    whom one acts for); a file held back by the virus scan says so."""
    try:
        stream = await open_stream(f"/threads/{segment(thread_id)}/attachments/{segment(attachment_id)}")
    except GatewayError as error:
        if error.status == 409:
            return await page.render(
                "pages/error.html.j2", status=409, title_key="file.quarantined_title", text_key="file.quarantined"
            )
        raise
    return download(stream)


def download(stream: Stream) -> Response:
    """A file as the gateway gave it: always a download, never shown in the page."""
    headers = {name: value for name, value in stream.headers.items() if name.lower() in DOWNLOAD_HEADERS}
    headers.setdefault("content-disposition", "attachment")
    headers["x-content-type-options"] = "nosniff"
    headers["content-security-policy"] = "default-src 'none'; sandbox"
    headers["cache-control"] = "private, no-store"
    media_type = headers.pop("content-type", "application/octet-stream")
    return StreamingResponse(stream.chunks(), media_type=media_type, headers=headers)
