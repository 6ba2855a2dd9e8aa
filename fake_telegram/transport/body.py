"""Reading Bot API parameters off an HTTP request the way Telegram accepts them.

Telegram takes parameters from the query string, from urlencoded or multipart forms and from JSON
bodies. A webhook's answer may carry a method call in the same forms.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from aiohttp import BodyPartReader, MultipartReader, web

from ..errors import ApiError, bad_request
from ..params import Params, Upload

__all__ = ["read_multipart", "read_params"]


def _entity_too_large() -> ApiError:
    return ApiError(413, "Request Entity Too Large")


class _PartSource(Protocol):
    async def next(self) -> MultipartReader | BodyPartReader | None: ...


async def read_multipart(reader: _PartSource, max_file_size: int) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Fields and file parts of a multipart body (a request's, or a webhook response's)."""
    values: dict[str, Any] = {}
    uploads: dict[str, Upload] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.filename is not None:
            data = bytearray()
            while chunk := await part.read_chunk():
                data += chunk
                if len(data) > max_file_size:
                    raise _entity_too_large()
            uploads[part.name] = Upload(
                part.name, part.filename, part.headers.get("Content-Type"), bytes(data)
            )
        else:
            values[part.name] = await part.text()
    return values, uploads


async def read_params(request: web.Request, max_file_size: int) -> Params:
    """Collect parameters from the query string and the body (JSON, urlencoded or multipart)."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method not in ("POST", "PUT") or not request.can_read_body:
        return Params(values)
    content_type = request.content_type
    try:
        if content_type == "application/json":
            raw = await request.read()
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise bad_request("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise bad_request("JSON object expected")
                values.update(body)
        elif content_type == "multipart/form-data":
            fields, uploads = await read_multipart(await request.multipart(), max_file_size)
            values.update(fields)
        else:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    values[key] = value
    except web.HTTPRequestEntityTooLarge:
        raise _entity_too_large() from None
    return Params(values, uploads)
