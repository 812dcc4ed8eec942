"""What the sentence judge learns from a labelled draft, without the model: sentences, their offsets, and the
marked phrases."""

from __future__ import annotations

from crossdesk.coach.draft_sentences import OK, labelled_sentences, split_sentences


def test_sentences_keep_their_offsets_and_decimal_points() -> None:
    text = "The parcel weighs 3.5 kg. It ships today!  到了吗？好的"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["The parcel weighs 3.5 kg.", "It ships today!", "到了吗？", "好的"]
    assert all(text[s.start : s.start + len(s.text)] == s.text for s in sentences)


def test_a_marked_phrase_labels_its_sentence_and_is_learnt_on_its_own() -> None:
    draft = {
        "draft": "Customs in Brazil is slow, that's out of our hands, sorry. Tracking: LP123.",
        "flags": [
            {"kind": "blame_shifting", "span": "that's out of our hands"},
            {"kind": "missing_empathy", "span": ""},  # an absence labels no sentence
        ],
    }
    examples = labelled_sentences([draft])
    assert examples["blame_shifting"] == [
        "Customs in Brazil is slow, that's out of our hands, sorry.",
        "that's out of our hands",
    ]
    assert examples[OK] == ["Tracking: LP123."]


def test_a_phrase_that_is_a_whole_sentence_or_too_short_is_not_added_twice() -> None:
    draft = {
        "draft": "It is normal. Not our fault, ok?",
        "flags": [
            {"kind": "vague_non_answer", "span": "It is normal."},
            {"kind": "blame_shifting", "span": "our fault"},  # two words: no fault of its own
        ],
    }
    examples = labelled_sentences([draft])
    assert examples["vague_non_answer"] == ["It is normal."]
    assert examples["blame_shifting"] == ["Not our fault, ok?"]
    assert examples[OK] == []
