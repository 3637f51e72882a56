"""File downloads (CSV/XLSX exports and templates, attached files) with the right type and file
name."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from fastapi.responses import Response, StreamingResponse

from rarecare.errors import NotFound

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def check_format(fmt: str) -> str:
    """404 for a format that is not offered."""
    if fmt not in MEDIA_TYPES:
        raise NotFound()
    return fmt


def download(data: bytes, filename: str, fmt: str) -> Response:
    return attachment(data, filename, MEDIA_TYPES[check_format(fmt)])


def attachment(data: bytes, filename: str, media_type: str) -> Response:
    """A file to save (an uploaded document, a report, an extract), kept out of caches."""
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


SPOOL_BYTES = 16 * 1024 * 1024  # an export larger than this goes to a temporary file


def spooled_download(
    write: Callable[[IO[bytes]], Any], filename: str, media_type: str
) -> StreamingResponse:
    """Run ``write`` into a spooled temporary file (memory up to 16 MB, then disk) while the
    request's database session is open, then stream the file out: exports of any size, in
    bounded memory."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed below
    try:
        write(spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        try:
            while piece := spool.read(1024 * 1024):
                yield piece
        finally:
            spool.close()

    return StreamingResponse(
        chunks(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
