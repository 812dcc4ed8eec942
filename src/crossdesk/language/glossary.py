"""A shop's glossary: brand, product and size terms with their agreed form in each language.

An entry maps language codes to a term, e.g. {"zh": "藏蓝色", "en": "navy blue", "pt": "azul-marinho"};
the key "*" marks a term every language keeps verbatim ("3XL", a brand name). Translations are told the
terms that occur in the text and checked for them afterwards."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

KEEP = "*"
MAX_TERM_CHARS = 100


@dataclass(frozen=True, slots=True)
class TermPair:
    source: str
    target: str


@dataclass(frozen=True, slots=True)
class Glossary:
    entries: tuple[Mapping[str, str], ...] = ()

    @classmethod
    def of(cls, entries: Iterable[Mapping[str, str]]) -> Glossary:
        return cls(tuple(entries))

    def pairs_for(self, text: str, source: str, target: str) -> list[TermPair]:
        """The entries whose source-language (or keep-verbatim) term occurs in `text`."""
        folded = text.casefold()
        pairs: list[TermPair] = []
        for entry in self.entries:
            if KEEP in entry:
                term = entry[KEEP]
                if term.casefold() in folded:
                    pairs.append(TermPair(term, term))
                continue
            found, wanted = entry.get(source), entry.get(target)
            if found and wanted and found.casefold() in folded:
                pairs.append(TermPair(found, wanted))
        return pairs

    @staticmethod
    def missing(translation: str, pairs: Iterable[TermPair]) -> list[TermPair]:
        folded = translation.casefold()
        return [pair for pair in pairs if pair.target.casefold() not in folded]
