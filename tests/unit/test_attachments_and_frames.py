"""Image checks by content, and the one-time encoding of socket frames."""

from __future__ import annotations

import io

import orjson
import pytest
from PIL import Image

from crossdesk.actions.attachments import check_image
from crossdesk.actions.errors import Invalid, TooLong
from crossdesk.events.event import Event, EventName


def _image(fmt: str, size: tuple[int, int] = (8, 5)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_allowed_images_are_recognized_by_content(fmt: str, content_type: str) -> None:
    assert check_image(_image(fmt), 10_000_000) == (content_type, 8, 5)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"%PDF-1.7",
        _image("PNG")[:40],
        _image("BMP"),
        _image("TIFF"),
    ],
)
def test_anything_else_is_refused(data: bytes) -> None:
    with pytest.raises(Invalid):
        check_image(data, 10_000_000)


def test_size_is_bounded_before_decoding() -> None:
    with pytest.raises(TooLong):
        check_image(_image("PNG"), 10)


def test_decompression_bombs_are_refused() -> None:
    with pytest.raises(Invalid):
        check_image(_image("PNG", (10_000, 10_000)), 50_000_000)


def test_event_frame_is_encoded_once_and_round_trips_on_the_wire() -> None:
    event = Event(EventName.MESSAGE_CREATED, 1, 7, 3, {"body": "<b>hi</b>"}, seq=12, visible_to_contact=False)
    frame = event.frame()
    assert event.frame() is frame
    assert orjson.loads(frame) == {
        "type": "event",
        "event": "message.created",
        "conversation_id": 7,
        "seq": 12,
        "data": {"body": "<b>hi</b>"},
    }
    again = Event.from_wire(event.to_wire())
    assert again == event and again.visible_to_contact is False
    typing = Event(EventName.TYPING, 1, 7, 3, {"on": True, "author": {"type": "agent"}}, origin="c1")
    assert orjson.loads(typing.frame()) == {
        "type": "typing",
        "conversation_id": 7,
        "on": True,
        "author": {"type": "agent"},
    }
