"""Checks on a finished translation: what must not be lost, and whether it is in the right language."""

from __future__ import annotations

import re
from collections.abc import Iterable

from crossdesk.language.glossary import Glossary, TermPair
from crossdesk.language.languages import name_of
from crossdesk.language.text import protected_tokens

SCRIPTS: dict[str, re.Pattern[str]] = {
    "zh": re.compile(r"[\u4e00-\u9fff]"),
    "ja": re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"),
    "ko": re.compile(r"[\uac00-\ud7af]"),
    "th": re.compile(r"[\u0e00-\u0e7f]"),
    "ar": re.compile(r"[\u0600-\u06ff]"),
    "fa": re.compile(r"[\u0600-\u06ff]"),
    "ur": re.compile(r"[\u0600-\u06ff]"),
    "he": re.compile(r"[\u0590-\u05ff]"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
    "uk": re.compile(r"[\u0400-\u04ff]"),
    "bg": re.compile(r"[\u0400-\u04ff]"),
    "el": re.compile(r"[\u0370-\u03ff]"),
    "hi": re.compile(r"[\u0900-\u097f]"),
    "bn": re.compile(r"[\u0980-\u09ff]"),
}
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
NON_LATIN_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")


def in_target_script(translation: str, target: str) -> bool:
    """A Chinese translation holds Han characters; a Portuguese one is mostly Latin letters."""
    script = SCRIPTS.get(target)
    if script is not None:
        return bool(script.search(translation))
    latin = len(LATIN.findall(translation))
    return latin > 0 and latin >= 2 * len(NON_LATIN_LETTER.findall(translation))


def issues(source_text: str, translation: str, target: str, terms: Iterable[TermPair]) -> list[str]:
    """Why a reader should check this translation before trusting it; empty when nothing is wrong."""
    found: list[str] = []
    folded = translation.casefold()
    for token in protected_tokens(source_text):
        if token.casefold() not in folded:
            found.append(f"'{token}' is missing from the translation")
    for pair in Glossary.missing(translation, terms):
        found.append(f"glossary term '{pair.target}' is missing")
    if len(translation) > 4 * len(source_text) + 40:
        found.append("much longer than the original")
    if not in_target_script(translation, target):
        found.append(f"does not read as {name_of(target)}")
    return found
