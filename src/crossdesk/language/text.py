"""What a message holds before any model sees it: is there language to translate, what must survive
translation unchanged (links, order numbers, sizes), and how a long message is cut into pieces."""

from __future__ import annotations

import re
import unicodedata

URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# Order numbers, tracking numbers, prices, sizes: tokens holding a digit ("#10482", "LX123456789CN", "3XL").
NUMBERISH = re.compile(r"#?[A-Za-z0-9]*\d[A-Za-z0-9./-]*")
SENTENCE = re.compile(r"[^.!?。！？\n]*(?:[.!?。！？]+\s*|\n+|$)")


def letters(text: str) -> int:
    """How many letters remain once links, addresses and number-like tokens are taken out."""
    stripped = NUMBERISH.sub(" ", EMAIL.sub(" ", URL.sub(" ", text)))
    return sum(1 for ch in stripped if unicodedata.category(ch).startswith("L"))


def needs_translation(text: str) -> bool:
    """False for empty, emoji-only, punctuation, link-, email- or order-number-only messages."""
    return letters(text) > 0


def protected_tokens(text: str) -> list[str]:
    """Tokens a faithful translation keeps verbatim: links, email addresses, numbers and codes."""
    # A sentence's own punctuation right after a link is not part of it.
    tokens = [u.rstrip(".,;:!?)】」") for u in URL.findall(text)] + EMAIL.findall(text)
    rest = EMAIL.sub(" ", URL.sub(" ", text))
    # "#10482" may fairly become "订单号10482": the number is what must survive.
    tokens += [t.rstrip(".,/-").lstrip("#") for t in NUMBERISH.findall(rest)]
    return [t for t in tokens if t]


def chunks(text: str, max_chars: int) -> list[str]:
    """Split at sentence ends into pieces of at most max_chars that join back into the text exactly (a
    sentence longer than that is cut hard), so a long message is translated piece by piece."""
    pieces: list[str] = []
    current = ""
    for sentence in SENTENCE.findall(text):
        while len(sentence) > max_chars:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:max_chars])
            sentence = sentence[max_chars:]
        if current and len(current) + len(sentence) > max_chars:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return pieces
