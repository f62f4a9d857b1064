"""BLEU and ROUGE with the real libraries of the optional ``metrics`` extra.

The stand-in tests in ``test_scoring.py`` check the row plumbing without the extra; these
check the numbers against the reference implementations themselves. CI installs the
extra in a step of its own, so they run there instead of skipping.
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_series_equal

from crucible_pl.scoring import bleu, evaluate, rouge

NO_EXTRA = "the optional 'metrics' extra is not installed: pip install -e '.[metrics]'"
sacrebleu_metrics = pytest.importorskip("sacrebleu.metrics", reason=NO_EXTRA)
rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer", reason=NO_EXTRA)

PAIRS = pl.DataFrame(
    {
        "p": ["the cat sat on the mat", "the cat is on the mat", "the cats sat", "", None],
        "r": [
            "the cat sat on the mat",
            "the cat sat on the mat",
            "the cat sat on the mat",
            "x",
            "y",
        ],
    }
)


def test_bleu_equals_sacrebleu_sentence_score_row_by_row() -> None:
    scorer = sacrebleu_metrics.BLEU(effective_order=True)
    direct = [
        None if p is None else scorer.sentence_score(p, [r]).score
        for p, r in PAIRS.select("p", "r").iter_rows()
    ]
    out = PAIRS.select(bleu("p", "r"))["bleu"]
    assert_series_equal(out, pl.Series("bleu", direct, dtype=pl.Float64))
    # By hand: an identical sentence scores 100, an empty one 0.
    assert out[0] == pytest.approx(100.0)
    assert out[3] == 0.0


@pytest.mark.parametrize("rouge_type", ["rouge1", "rouge2", "rougeL", "rougeLsum"])
def test_rouge_equals_rouge_score_row_by_row(rouge_type: str) -> None:
    scorer = rouge_scorer.RougeScorer([rouge_type], use_stemmer=True)
    direct = [
        None if p is None else scorer.score(r, p)[rouge_type].fmeasure
        for p, r in PAIRS.select("p", "r").iter_rows()
    ]
    out = PAIRS.select(rouge("p", "r", rouge_type=rouge_type))[rouge_type]  # type: ignore[arg-type]
    assert_series_equal(out, pl.Series(rouge_type, direct, dtype=pl.Float64))


def test_rouge1_by_hand_with_stemming() -> None:
    # "the cats sat" against "the cat sat on the mat": with the Porter stemmer all three
    # prediction tokens match (precision 3/3) and cover 3 of 6 reference tokens (recall
    # 1/2), so F = 2 * 1 * 0.5 / 1.5 = 2/3; without stemming "cats" misses (F = 4/9).
    frame = pl.DataFrame({"p": ["the cats sat"], "r": ["the cat sat on the mat"]})
    stemmed = frame.select(rouge("p", "r", rouge_type="rouge1")).item()
    plain = frame.select(rouge("p", "r", rouge_type="rouge1", use_stemmer=False)).item()
    assert stemmed == pytest.approx(2 / 3)
    assert plain == pytest.approx(4 / 9)


def test_evaluate_with_bleu_and_rouge_by_name() -> None:
    refs = pl.DataFrame({"id": ["a", "b"], "expected": ["the cat sat", "a dog ran"]})
    preds = pl.DataFrame({"id": ["a", "b"], "prediction": ["the cat sat", "no"]})
    result = evaluate(refs, preds, family="generation", metrics=["bleu", "rouge1"], n_bootstrap=0)
    assert result.items["bleu"][0] == pytest.approx(100.0)
    assert result.items["rouge1"].to_list() == pytest.approx([1.0, 0.0])
