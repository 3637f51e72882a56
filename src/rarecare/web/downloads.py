"""File downloads (CSV/XLSX exports and templates) with the right type and file name."""

from __future__ import annotations

from fastapi.responses import Response

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
    return Response(
        data,
        media_type=MEDIA_TYPES[check_format(fmt)],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
