"""How well each engine translates each language pair, as measured by bench/language_eval.py.

The figures live in quality.json beside this module (written by `bench/language_eval.py --write-quality`).
A pair measured below the bar, or never measured, is labelled "machine translation, check before sending"
rather than trusted silently."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

QUALITY_FILE = Path(__file__).with_name("quality.json")
# chrF (0-100) below which a reader should check the translation. Chosen from the measured spread:
# pairs above it read as fluent, correct chat in a manual look at the eval output.
REVIEW_BELOW_CHRF = 45.0


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
    return score is None or score < REVIEW_BELOW_CHRF
