"""The languages the desk names, and which ones buyers usually write in (a prior for short messages)."""

from __future__ import annotations

# ISO 639-1 code -> English name (what prompts and the UI say).
NAMES: dict[str, str] = {
    "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "ms": "Malay", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sv": "Swedish", "th": "Thai", "tl": "Tagalog",
    "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip

# Where cross-border buyers and sellers mostly write from: on a short, ambiguous message these win over
# rarer languages the detector also finds plausible (Slovenian for chat Indonesian, Persian for "شكرا").
COMMON: frozenset[str] = frozenset(
    "ar de en es fr he hi id it ja ko ms nl pl pt ru th tl tr uk vi zh".split()
)


def name_of(code: str) -> str:
    return NAMES.get(code, code)


def is_known(code: str) -> bool:
    return code in NAMES
