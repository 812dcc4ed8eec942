"""How well each engine translates each language pair, as measured by bench/language_eval.py.

The figures live in quality.json beside this module (written by `bench/language_eval.py --write-quality`).
A pair measured below the bar, or never measured, is labelled "machine translation, check before sending"
rather than trusted silently."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

QUALITY_FILE = Path(__file__).with_name("quality.json")
# chrF (0-100) below which a reader should check the translation, by target language. chrF counts
# character n-grams, so it runs lower for scripts written without spaces between words (Chinese, Japanese,
# Thai) and for Korean than for the others at the same quality: one bar for all would flag every
# translation into Chinese. The bars are set so that the pairs a bilingual reader judged fluent in the
# eval output (en->zh 31.5, zh->en 42.9 for the embedded model) pass and the ones seen making errors (zh->pt
# 29.8: a wrong weekday; ru->zh 22.6: details lost) do not.
REVIEW_BELOW_CHRF = 40.0
REVIEW_BELOW_CHRF_BY_TARGET = {"zh": 25.0, "ja": 25.0, "ko": 25.0, "th": 25.0}


@cache
def _measured() -> dict[str, dict[str, float]]:
    if not QUALITY_FILE.exists():
        return {}
    data: dict[str, dict[str, float]] = json.loads(QUALITY_FILE.read_text())["chrf"]
    return data


def chrf(engine: str, source: str, target: str) -> float | None:
    return _measured().get(engine, {}).get(f"{source}->{target}")


def is_weak(engine: str, source: str, target: str) -> bool:
    """True when this engine's measured quality for the pair is below the bar, or it was not measured.
    Engines without measurements (a configured cloud model) are trusted: the operator chose them."""
    table = _measured().get(engine)
    if table is None:
        return False
    score = table.get(f"{source}->{target}")
    return score is None or score < review_bar(target)


def review_bar(target: str) -> float:
    return REVIEW_BELOW_CHRF_BY_TARGET.get(target, REVIEW_BELOW_CHRF)
