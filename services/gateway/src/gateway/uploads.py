"""Messages that come with files: one request body as JSON, or as a multipart form with the
same fields as text parts plus ``files``. Both are validated by the same pydantic model, so
a bad field is named the same way (``errors[].field``) whichever form it came in; the
files stream on to messaging as ``FileStart`` and their bytes (messaging judges them: size,
type on the content, name). Every body is capped as it streams in
(:mod:`gateway.body_limit`)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from gateway.problems import ProblemException
from zorgpost.messaging.v1 import messaging_pb2

#: Files one form is read with at most: the upper bound of messaging's own setting
#: (``max_files_per_message``, 10 by default, at most 50), which refuses past its value.
MAX_FILES = 50
UPLOAD_CHUNK = 64 * 1024
FILES_DESCRIPTION = (
    "pdf, png, jpeg, heic, docx, xlsx or txt, judged on the content; the file name must end in the "
    "extension of that type and hold no control or invisible formatting characters"
)

Model = TypeVar("Model", bound=BaseModel)


def _refused(error: ValidationError) -> RequestValidationError:
    return RequestValidationError(
        [{**e, "loc": ("body", *e["loc"])} if e["type"] != "json_invalid" else e for e in error.errors()]
    )


def _text_parts(
    form: Any, *, lists: tuple[str, ...], json_parts: tuple[str, ...], defaults: Mapping[str, str]
) -> dict[str, Any]:
    fields: dict[str, Any] = dict(defaults)
    problems: list[dict[str, Any]] = []
    for name in {key for key in form.keys() if key != "files"}:
        values = form.getlist(name)
        if not all(isinstance(value, str) for value in values):
            problems.append({"loc": ("body", name), "msg": "must be text", "type": "string_type"})
        elif name in lists:
            fields[name] = values
        elif name in json_parts:
            try:
                fields[name] = json.loads(values[-1])
            except (ValueError, RecursionError):  # a part nested too deep to read is not JSON either
                problems.append({"loc": ("body", name), "msg": "must be JSON", "type": "json_invalid_part"})
        else:
            fields[name] = values[-1]
    if problems:
        raise RequestValidationError(problems)
    return fields


async def message_parts(
    request: Request,
    model: type[Model],
    *,
    before_form: Callable[[], Awaitable[object]] | None = None,
    lists: tuple[str, ...] = (),
    json_parts: tuple[str, ...] = (),
    defaults: Mapping[str, str] | None = None,
) -> tuple[Model, list[UploadFile]]:
    """The validated fields and the files of a JSON or multipart body. In a form, a field of
    ``lists`` may repeat, one of ``json_parts`` is a JSON text (a list of objects), the
    others are text; ``defaults`` fill in what a form left out. ``before_form`` runs before a
    form is read (messaging says whether the caller may post at all: 404/409 without taking
    in a byte of the files)."""
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == "multipart/form-data":
        if before_form is not None:
            await before_form()
        form = await request.form(max_files=MAX_FILES, max_fields=50 + len(lists) * 50)
        fields = _text_parts(form, lists=lists, json_parts=json_parts, defaults=defaults or {})
        try:
            parsed = model.model_validate(fields)
        except ValidationError as error:
            raise _refused(error) from None
        files = form.getlist("files")
        if not all(isinstance(item, UploadFile) for item in files):
            # a ``files`` part without a file name arrives as text: never dropped silently
            raise RequestValidationError(
                [{"loc": ("body", "files"), "msg": "each part must be a file (with a file name)", "type": "file_type"}]
            )
        return parsed, [item for item in files if isinstance(item, UploadFile)]
    if content_type in ("application/json", ""):
        try:
            return model.model_validate_json(await request.body()), []
        except ValidationError as error:
            raise _refused(error) from None
    raise ProblemException(415, code="unsupported_media_type", detail="Send application/json or multipart/form-data.")


async def file_parts(files: list[UploadFile]) -> AsyncIterator[messaging_pb2.FileStart | bytes]:
    """Each file as messaging takes it: its start (name, claimed type), then its bytes."""
    for upload in files:
        yield messaging_pb2.FileStart(file_name=upload.filename or "", content_type=upload.content_type or "")
        while data := await upload.read(UPLOAD_CHUNK):
            yield data


async def close_files(files: list[UploadFile]) -> None:
    for upload in files:
        await upload.close()


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with its nested models written out in place: a schema put in
    a route's ``openapi_extra`` cannot point into ``$defs`` (they are not in the document)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def multipart_schema(properties: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI ``multipart/form-data`` schema of a message route: its text fields and
    ``files``."""
    return {
        "schema": {
            "type": "object",
            "properties": {
                **properties,
                "files": {
                    "type": "array",
                    "maxItems": MAX_FILES,  # messaging's setting (10 by default) may be lower
                    "items": {"type": "string", "format": "binary"},
                    "description": FILES_DESCRIPTION,
                },
            },
        }
    }
