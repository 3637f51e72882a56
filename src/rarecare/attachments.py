"""Files attached to referrals, lab results and research requests: the type is read from the
content (not the name the browser sent), and the size is bounded."""

from __future__ import annotations

from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# what a clinical letter, report or image is: the magic bytes and the type they mean
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
ALLOWED = "PDF, PNG, JPEG"


def checked(filename: str, content: bytes, *, field: str = "file") -> tuple[str, str]:
    """(the file's safe name, its media type), or ValidationFailed naming what is wrong."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "attachment"
    if not content:
        raise ValidationFailed(
            _("The file was not attached."), [FieldError(field, N_("the file is empty"))]
        )
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(
            _("The file was not attached."),
            [
                FieldError(
                    field,
                    N_("the file is larger than %(n)s MB"),
                    params={"n": MAX_ATTACHMENT_BYTES // (1024 * 1024)},
                )
            ],
        )
    for magic, media_type in SIGNATURES:
        if content.startswith(magic):
            return name, media_type
    raise ValidationFailed(
        _("The file was not attached."),
        [FieldError(field, N_("expected one of %(types)s"), params={"types": ALLOWED})],
    )
