"""Image uploads: only real images (checked by decoding them), size-bounded, stored with the shop."""

from __future__ import annotations

import hashlib
import io
import warnings
from datetime import datetime

import sqlalchemy as sa
from PIL import Image, UnidentifiedImageError

from crossdesk.actions.access import check_conversation_access
from crossdesk.actions.errors import Invalid, NotFound, TooLong
from crossdesk.db.queries import Json, attachment_json
from crossdesk.db.tables import attachments, conversations
from crossdesk.desk import Desk
from crossdesk.domain.models import Principal

ALLOWED_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000


def check_image(data: bytes, max_bytes: int) -> tuple[str, int, int]:
    """(content type, width, height) of an allowed image; whatever the file name or declared type said."""
    if len(data) > max_bytes:
        raise TooLong(f"Images are limited to {max_bytes // (1024 * 1024)} MB")
    if not data:
        raise Invalid("The file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as exc:
        raise Invalid("Only PNG, JPEG, GIF or WebP images can be attached") from exc
    if kind not in ALLOWED_FORMATS:
        raise Invalid("Only PNG, JPEG, GIF or WebP images can be attached")
    if width * height > MAX_PIXELS:
        raise Invalid("The image has too many pixels")
    return ALLOWED_FORMATS[kind], width, height


def store_attachment(
    conn: sa.Connection,
    principal: Principal,
    conversation_id: int | None,
    data: bytes,
    kind: tuple[str, int, int],
    now: datetime,
) -> Json:
    """Keep checked bytes (`kind`: content type, width, height) for the shop, inside the caller's
    transaction; the attachment as the API shows it."""
    content_type, width, height = kind
    attachment_id = conn.execute(
        sa.insert(attachments)
        .values(
            shop_id=principal.shop_id,
            conversation_id=conversation_id,
            uploader_type=principal.author_type.value,
            uploader_id=principal.id,
            content_type=content_type,
            size=len(data),
            width=width,
            height=height,
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            created_at=now,
        )
        .returning(attachments.c.id)
    ).scalar_one()
    return attachment_json(
        {"id": attachment_id, "content_type": content_type, "width": width, "height": height}
    )


async def upload_image(desk: Desk, principal: Principal, data: bytes, conversation_id: int | None) -> Json:
    kind = check_image(data, desk.settings.max_attachment_bytes)
    now = desk.clock()

    def transaction(conn: sa.Connection) -> Json:
        if conversation_id is not None:
            check_conversation_access(conn, principal, conversation_id)
        return store_attachment(conn, principal, conversation_id, data, kind, now)

    return await desk.db.write(transaction)


async def read_image(desk: Desk, principal: Principal, attachment_id: int) -> tuple[bytes, str]:
    """An image the principal may see: their shop's; for a buyer, only their own conversations'."""

    def transaction(conn: sa.Connection) -> tuple[bytes, str]:
        row = conn.execute(sa.select(attachments).where(attachments.c.id == attachment_id)).mappings().first()
        if row is None or row["shop_id"] != principal.shop_id:
            raise NotFound("No such attachment")
        if principal.is_contact and not row["content_type"].startswith("image/"):
            raise NotFound("No such attachment")  # call recordings are for staff
        uploaded_by_them = row["uploader_type"] == "contact" and row["uploader_id"] == principal.id
        if principal.is_contact and not uploaded_by_them:
            owner = None
            if row["conversation_id"] is not None:
                owner = conn.execute(
                    sa.select(conversations.c.contact_id).where(conversations.c.id == row["conversation_id"])
                ).scalar_one_or_none()
            if owner != principal.id:
                raise NotFound("No such attachment")
        return bytes(row["data"]), row["content_type"]

    return await desk.db.read(transaction)
