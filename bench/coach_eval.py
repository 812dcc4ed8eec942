"""Coach evaluation on labelled data: intent, sentiment and urgency accuracy of buyer messages
(bench/data/coach_messages.jsonl), the draft checker's precision and recall per flag kind and the share of
good replies left unflagged (bench/data/coach_drafts.jsonl), and the analysis latency per message.

The playbook's examples and patterns were written without these files. Tuning happens on development data
written independently and kept in the playbook (labelled_messages.jsonl, labelled_drafts.jsonl), measured
by cross-validation (`--set dev`), never on the test set.

    python bench/coach_eval.py              # the held-out test sets
    python bench/coach_eval.py --set dev    # development: 5-fold cross-validation over the playbook's
                                            # labelled messages and labelled drafts, every miss printed
    python bench/coach_eval.py --messages NEW.jsonl --drafts NEW.jsonl
                                            # a new writer's labelled data, before it joins the playbook
The last line is a machine-readable summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from crossdesk.coach.draft_sentences import THRESHOLD  # noqa: E402
from crossdesk.coach.playbook import FLAG_KINDS  # noqa: E402
from crossdesk.coach.service import Coach, build_coach  # noqa: E402
from crossdesk.config import Settings  # noqa: E402

DATA = ROOT / "bench" / "data"
# The test messages' sentiment labelled again, blind, from docs/playbook.md's convention alone: annotators
# A and B on 2026-11-25, C and D on 2026-11-26 after the waiting rule was added. "adjudicated" is the
# majority of the writer, C and D (the current convention; the writer's label when all three differ).
VOTES = "coach_messages_sentiment_votes.jsonl"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def load(name: str | Path) -> list[dict[str, object]]:
    """A file of bench/data by name, or any path (as given on the command line: relative to where it runs)."""
    with (name if isinstance(name, Path) else DATA / name).open(encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def evaluate_messages(
    coach: Coach,
    rows: list[dict[str, object]],
    verbose: bool,
    votes: dict[str, dict[str, str]] | None = None,
) -> dict[str, float]:
    """`votes`: per message id, the sentiment labels of independent annotators and the adjudicated one."""
    coach.analyze("warm up")  # builds the analyzer: embeds every playbook example once
    hits: Counter[str] = Counter()
    per_language: dict[str, list[bool]] = defaultdict(list)
    per_intent: dict[str, list[bool]] = defaultdict(list)
    confusion: Counter[tuple[str, str]] = Counter()
    sentiment_confusion: Counter[tuple[str, str]] = Counter()
    times = []
    for row in rows:
        started = time.perf_counter()
        found = coach.analyze(str(row["text"]))
        times.append((time.perf_counter() - started) * 1000)
        intent_ok = found.intent == row["intent"]
        hits["intent"] += intent_ok
        hits["sentiment"] += found.sentiment == row["sentiment"]
        if found.sentiment != row["sentiment"]:
            sentiment_confusion[(str(row["sentiment"]), found.sentiment)] += 1
        if votes:
            hits["sentiment_adjudicated"] += found.sentiment == votes[str(row["id"])]["adjudicated"]
        if "urgent" in row:  # the test set labels urgency; development data does not
            hits["urgent"] += found.urgent == row["urgent"]
            hits["urgent_labelled"] += 1
        per_language[str(row["lang"])].append(intent_ok)
        per_intent[str(row["intent"])].append(intent_ok)
        if not intent_ok:
            confusion[(str(row["intent"]), found.intent)] += 1
            if verbose:
                print(f"    {row.get('id', '')}: {row['intent']} -> {found.intent}: {row['text']!r}")
    n = len(rows)
    print(f"Buyer messages: {n} in {len(per_language)} languages")
    for key in ("intent", "sentiment", "urgent"):
        total = hits["urgent_labelled"] if key == "urgent" else n
        if total:
            print(f"  {key:<10} {hits[key]}/{total} = {hits[key] / total:.1%}")
    print(
        "  intent per language: "
        + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in sorted(per_language.items()))
    )
    print("  intent per class:    " + ", ".join(f"{k} {sum(v)}/{len(v)}" for k, v in per_intent.items()))
    print(
        "  most confused (truth -> said): "
        + ", ".join(f"{a}->{b} {c}" for (a, b), c in confusion.most_common(6))
    )
    print(
        "  sentiment confused (truth -> said): "
        + ", ".join(f"{a}->{b} {c}" for (a, b), c in sentiment_confusion.most_common())
    )
    p50, p95 = percentile(times, 50), percentile(times, 95)
    result = {"intent": hits["intent"] / n, "sentiment": hits["sentiment"] / n, "p50": p50, "p95": p95}
    if votes:
        agreed = hits["sentiment_adjudicated"]
        result["sentiment_adjudicated"] = agreed / n
        print(f"  sentiment against the adjudicated labels {agreed}/{n} = {agreed / n:.1%}")
        print_agreement(votes)
    print(f"  analysis latency p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    return result


def print_agreement(votes: dict[str, dict[str, str]]) -> None:
    """How often the labellers agree with each other: the ceiling for any one set of labels."""
    labellers = ("writer", "annotator_a", "annotator_b", "annotator_c", "annotator_d")
    pairs = [(a, b) for i, a in enumerate(labellers) for b in labellers[i + 1 :]]
    n = len(votes)
    print(
        "  labellers agree: "
        + ", ".join(f"{a}/{b} {sum(v[a] == v[b] for v in votes.values()) / n:.1%}" for a, b in pairs)
    )


def load_votes() -> dict[str, dict[str, str]]:
    return {str(row["id"]): {k: str(v) for k, v in row.items()} for row in load(VOTES)}


def evaluate_drafts(
    coach: Coach, rows: list[dict[str, Any]], verbose: bool, checkers: list[Any] | None = None
) -> dict[str, float]:
    """`checkers`: one per row (cross-validation); the coach's own otherwise."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    good = good_clean = 0
    for i, row in enumerate(rows):
        checker = checkers[i] if checkers else coach.checker
        flags = checker.check(
            str(row["draft"]), str(row["lang"]), str(row["intent"]), str(row["buyer_sentiment"])
        )
        said = {flag.kind for flag in flags}
        truth = {str(flag["kind"]) for flag in row["flags"]}  # type: ignore[attr-defined]
        for kind in said & truth:
            tp[kind] += 1
        for kind in said - truth:
            fp[kind] += 1
            if verbose:
                print(f"    false {kind}: {row.get('id', i)}: {row['draft']!r}")
        for kind in truth - said:
            fn[kind] += 1
            if verbose:
                print(f"    missed {kind}: {row.get('id', i)}: {row['draft']!r}")
        if not truth:
            good += 1
            good_clean += not said
    print(f"Agent drafts: {len(rows)} ({good} good)")
    print(f"  {'kind':<20}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}")
    for kind in FLAG_KINDS:
        precision = tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0
        recall = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else 1.0
        print(f"  {kind:<20}{precision:>10.0%}{recall:>8.0%}{tp[kind]:>5}{fp[kind]:>5}{fn[kind]:>5}")
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision, recall = all_tp / max(1, all_tp + all_fp), all_tp / max(1, all_tp + all_fn)
    print(f"  {'all':<20}{precision:>10.0%}{recall:>8.0%}{all_tp:>5}{all_fp:>5}{all_fn:>5}")
    print(f"  good replies with no flag: {good_clean}/{good} = {good_clean / max(1, good):.1%}")
    return {"precision": precision, "recall": recall, "good_clean": good_clean / max(1, good)}


def cross_validate(coach: Coach, folds: int = 5) -> dict[str, float]:
    """Intent and sentiment accuracy on the playbook's labelled messages, each fold classified by a model
    trained on the examples and the other folds (the development messages were folded into the playbook)."""

    from crossdesk.coach.classifier import ExampleClassifier
    from crossdesk.coach.playbook import INTENTS, SENTIMENTS, load_playbook

    playbook = load_playbook()
    labelled = load_labelled()
    seeds = {
        "intent": {
            k: [t for t in v if t not in labelled["texts"]] for k, v in playbook.intent_examples.items()
        },
        "sentiment": {
            k: [t for t in v if t not in labelled["texts"]] for k, v in playbook.sentiment_examples.items()
        },
    }
    rows = labelled["rows"]
    groups = held_out_groups(rows, folds)
    from crossdesk.coach.embeddings import ExampleCache

    embedder, cache = coach.embedder, coach.cache or ExampleCache(None)
    vectors = cache.embed(embedder, [str(r["text"]) for r in rows])
    hits: Counter[str] = Counter()
    for held in groups:
        for task, labels in (("intent", INTENTS), ("sentiment", SENTIMENTS)):
            examples = {k: list(v) for k, v in seeds[task].items()}
            for i, row in enumerate(rows):
                if i not in held:
                    examples[str(row[task])].append(str(row["text"]))
            classifier = ExampleClassifier(embedder, examples, labels, cache)
            for i in held:
                scores = classifier.scores(vectors[i], str(rows[i]["text"]))
                hits[task] += max(scores, key=lambda k: scores[k]) == rows[i][task]
    n = len(rows)
    print(f"Labelled messages, {CV_NAME}: {n}")
    for task in ("intent", "sentiment"):
        print(f"  {task:<10} {hits[task]}/{n} = {hits[task] / n:.1%} (the classifier alone, no rules)")
    return {"intent": hits["intent"] / n, "sentiment": hits["sentiment"] / n, "p50": 0.0, "p95": 0.0}


def cross_validation_checkers(
    coach: Coach, judge: str, threshold: float, next_step_judge: str = "on", folds: int = 5
) -> tuple[list[Any], list[Any]]:
    """The playbook's labelled drafts, each with a checker whose sentence judge never saw it."""

    from crossdesk.coach.checker import DraftChecker
    from crossdesk.coach.draft_sentences import SentenceJudge, judge_examples
    from crossdesk.coach.next_step import NextStepJudge, labelled_next_steps, playbook_replies

    rows = list(coach.playbook.labelled_drafts)
    checkers: list[Any] = [None] * len(rows)
    good_replies = playbook_replies(coach.playbook)
    for held in held_out_groups(rows, folds):
        sentence_judge, next_step = None, None
        if judge == "on":
            training = [row for i, row in enumerate(rows) if i not in held]
            replies = coach.playbook.replies
            examples = judge_examples(training, replies.sentences())
            sentence_judge = SentenceJudge(
                coach.embedder, examples, coach.cache, threshold, replies.phrasings()
            )
            if next_step_judge == "on":
                steps = labelled_next_steps(training, good_replies)
                next_step = NextStepJudge(coach.embedder, steps, coach.cache)
        checker = DraftChecker(coach.playbook, sentence_judge, next_step)
        for i in held:
            checkers[i] = checker
    print(
        f"Labelled drafts, {CV_NAME} (judge {judge}, threshold {threshold},"
        f" next-step judge {next_step_judge if judge == 'on' else 'off'}): {len(rows)}"
    )
    return rows, checkers


CV_NAME = "leave-one-writer-out cross-validation"


def held_out_groups(rows: list[dict[str, Any]], folds: int) -> list[set[int]]:
    """Each writer's rows held out in turn: how the coach does on a writer it never learned from (the
    honest question, since every writer phrases things their own way). Random folds without writers."""
    import random

    writers: dict[str, set[int]] = {}
    for i, row in enumerate(rows):
        writers.setdefault(str(row.get("writer", "")), set()).add(i)
    if len(writers) > 1:
        return list(writers.values())
    order = list(range(len(rows)))
    random.Random(0).shuffle(order)
    return [set(order[fold::folds]) for fold in range(folds)]


def load_labelled() -> dict[str, Any]:
    from crossdesk.coach.playbook import PACKAGED

    with (PACKAGED / "labelled_messages.jsonl").open(encoding="utf-8") as file:
        rows = [json.loads(line) for line in file if line.strip()]
    return {"rows": rows, "texts": {row["text"] for row in rows}}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", dest="which", choices=["test", "dev"], default="test")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    parser.add_argument(
        "--judge",
        choices=["on", "off"],
        default="on",
        help="with --set dev: the sentence judge, or patterns only",
    )
    parser.add_argument(
        "--next-step-judge",
        choices=["on", "off"],
        default="on",
        help="with --set dev and the judge on: the whole-reply next-step judge, or markers only",
    )
    parser.add_argument("--threshold", type=float, default=THRESHOLD, help="with --set dev: the judge's")
    parser.add_argument("--messages", type=Path, help="labelled messages to read instead of the test set's")
    parser.add_argument("--drafts", type=Path, help="labelled drafts to read instead of the test set's")
    args = parser.parse_args()
    if args.which == "dev" and (args.messages or args.drafts):
        parser.error("--messages and --drafts replace the test set; --set dev reads the playbook's own")
    verbose = args.verbose or args.which == "dev"
    coach = build_coach(cache_dir=Settings().models_dir)
    if args.which == "test":
        votes = None if args.messages else load_votes()  # the test messages' second labels
        messages = evaluate_messages(coach, load(args.messages or "coach_messages.jsonl"), verbose, votes)
        drafts = evaluate_drafts(coach, load(args.drafts or "coach_drafts.jsonl"), verbose)
    else:
        messages = cross_validate(coach)
        rows, checkers = cross_validation_checkers(coach, args.judge, args.threshold, args.next_step_judge)
        drafts = evaluate_drafts(coach, rows, verbose, checkers)
    adjudicated = messages.get("sentiment_adjudicated")  # the test set only
    print(
        f"intent_acc={messages['intent']:.4f} sentiment_acc={messages['sentiment']:.4f}"
        + (f" sentiment_adjudicated_acc={adjudicated:.4f}" if adjudicated is not None else "")
        + f" flag_precision={drafts['precision']:.4f} flag_recall={drafts['recall']:.4f}"
        f" good_unflagged={drafts['good_clean']:.4f} analysis_p50_ms={messages['p50']:.1f}"
        f" analysis_p95_ms={messages['p95']:.1f} set={args.which}"
    )


if __name__ == "__main__":
    main()
