"""Uploads, bounded before anything parses them: a request body larger than the limit is refused
from its Content-Length before it is read, and a file is read at most one byte past its limit."""

from __future__ import annotations

from fastapi import UploadFile

from rarecare.errors import FieldError, TooLarge
from rarecare.i18n import _

MAX_UPLOAD_BYTES = 25 * 1024 * 1024  # a 100,000-row import or a long guideline PDF
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024  # the file and the form around it


def read_upload(upload: UploadFile, *, limit: int | None = None) -> bytes:
    """The uploaded file's bytes (call from a sync route: it runs in the thread pool, off the
    event loop), or ``TooLarge`` naming the field."""
    limit = MAX_UPLOAD_BYTES if limit is None else limit
    upload.file.seek(0)
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(
            _("The file is too large."),
            [FieldError("file", _("at most %(n)d MB") % {"n": limit // (1024 * 1024)})],
        )
    return data


def too_large(content_length: str | None) -> bool:
    """Whether a declared request body exceeds the limit (checked before it is read)."""
    try:
        return content_length is not None and int(content_length) > MAX_REQUEST_BYTES
    except ValueError:
        return True
