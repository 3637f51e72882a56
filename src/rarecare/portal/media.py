"""Images for the portal's articles: PNG, JPEG or WebP up to 2 MB, checked by their declared
type and by their own signature (an HTML or SVG file named .png is refused: SVG can carry
script), stored by content hash and served with long cache lifetimes."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy.orm import Session

from rarecare.access import Principal, require_role
from rarecare.audit import service as audit
from rarecare.errors import FieldError, NotFound, ValidationFailed
from rarecare.i18n import N_, _
from rarecare.portal.service import EDITORS

MAX_IMAGE_BYTES = 2 * 1024 * 1024
TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpg|webp)$")
MEDIA_TYPES = {ext: kind for kind, ext in TYPES.items()}


def _signature(content: bytes) -> str | None:
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return None


def store_image(
    *,
    session: Session,
    principal: Principal | None,
    content: bytes,
    content_type: str,
    storage_dir: Path,
) -> str:
    """The image's public address (``/public/media/<sha256>.<ext>``)."""
    actor = require_role(principal, *EDITORS)
    problems = []
    if len(content) > MAX_IMAGE_BYTES:
        problems.append(
            FieldError(
                "image",
                N_("larger than %(mb)s MB"),
                params={"mb": MAX_IMAGE_BYTES // (1024 * 1024)},
            )
        )
    declared = TYPES.get(content_type)
    if declared is None:
        problems.append(
            FieldError(
                "image",
                N_("expected PNG, JPEG or WebP, the upload says %(type)s"),
                params={"type": content_type},
            )
        )
    actual = _signature(content)
    if actual is None or (declared and actual != declared):
        problems.append(FieldError("image", N_("the content is not the image type it claims")))
    if problems:
        raise ValidationFailed(_("The image was refused."), problems)
    assert actual is not None
    digest = hashlib.sha256(content).hexdigest()
    storage_dir.mkdir(parents=True, exist_ok=True)
    target = storage_dir / f"{digest}.{actual}"
    if not target.exists():
        target.write_bytes(content)
    audit.record(
        session=session,
        actor=actor,
        action="upload_image",
        object_type="portal_media",
        object_id=None,
        detail={"sha256": digest, "size": len(content)},
    )
    return f"/public/media/{digest}.{actual}"


def image_path(name: str, storage_dir: Path) -> tuple[Path, str]:
    if not NAME.match(name):
        raise NotFound()
    path = storage_dir / name
    if not path.exists():
        raise NotFound()
    return path, MEDIA_TYPES[name.rsplit(".", 1)[1]]
