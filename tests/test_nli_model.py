"""The trained NLI model: deterministic, order-preserving, and right on plain cases in en and sv."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rag.errors import InputError
from rag.nli import LABELS, NLIModel, NLIModelError
from ui.nli_cmd import read_pairs


@pytest.fixture(scope="module")
def model() -> NLIModel:
    return NLIModel().load()


PAIRS = [
    ("Kallas said NATO should not be afraid to send trainers to Ukraine.",
     "Kallas said NATO should be afraid to send trainers to Ukraine."),
    ("Regeringen har godkänt beslutet om att skicka 97 soldater.",
     "Regeringen har inte godkänt beslutet."),
    ("The ministry said 97 soldiers were deployed in March.",
     "The ministry said 970 soldiers were deployed in March."),
    ("Polen köpte 250 stridsvagnar från USA förra året.",
     "Polen köpte 25 stridsvagnar från USA förra året."),
    ("The weather in Oslo was cold on Monday.", "Estonia's parliament approved the plan."),
    ("Det regnade i Göteborg i går.", "Litauens regering skickar instruktörer till Ukraina."),
    ("The minister confirmed that the troops arrived in Kyiv on Tuesday.",
     "The troops arrived in Kyiv."),
    ("Ministern bekräftade att soldaterna anlände till Kiev i tisdags.",
     "Soldaterna anlände till Kiev."),
]
EXPECTED = ["contradiction", "contradiction", "contradiction", "contradiction", "neutral",
            "neutral", "entailment", "entailment"]


# Written by hand before the model was trained. Two fail with the committed model (measured,
# docs/NLI_MODEL.md "Known weaknesses"); strict: a model that gets them right makes them XPASS,
# which fails, so the marks are removed when the weakness is gone.
_KNOWN_WRONG = {3: "a dropped digit (250 -> 25) in Swedish reads as entailment",
                6: "'the minister confirmed that S' is not taken to entail S"}


@pytest.mark.parametrize(
    "i", [pytest.param(i, marks=pytest.mark.xfail(strict=True, reason=_KNOWN_WRONG[i]))
          if i in _KNOWN_WRONG else i for i in range(len(PAIRS))])
def test_plain_cases_in_both_languages(model, i):
    (r,) = model.predict([PAIRS[i]])
    assert r.label == EXPECTED[i], r


def test_same_input_same_probabilities_to_the_last_bit(model):
    a = model.predict(PAIRS)
    b = NLIModel().predict(PAIRS)
    assert a == b


def test_a_pair_scores_the_same_alone_and_among_others(model):
    together = model.predict(PAIRS)
    alone = [model.predict([p])[0] for p in PAIRS]
    assert together == alone


def test_probabilities_are_a_distribution_and_the_label_is_their_argmax(model):
    for r in model.predict(PAIRS):
        assert abs(sum(r.probs.values()) - 1.0) < 1e-9
        assert r.label == max(LABELS, key=lambda k: r.probs[k])


def test_long_inputs_are_truncated_not_refused(model):
    (r,) = model.predict([("word " * 2000, "another sentence " * 500)])
    assert r.label in LABELS


def test_a_missing_graph_is_a_clear_error(tmp_path):
    with pytest.raises(NLIModelError, match="not found"):
        NLIModel(graph=tmp_path / "nope.onnx").predict([("a", "b")])


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.cli", "nli", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_cli_jsonl_keeps_order_and_matches_the_python_api(model):
    stdin = "".join(json.dumps({"premise": p, "hypothesis": h}) + "\n" for p, h in PAIRS)
    out = _cli("--jsonl", "-", stdin=stdin)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["label"] for r in rows] == [r.label for r in model.predict(PAIRS)]
    assert set(rows[0]["probs"]) == set(LABELS)


def test_cli_one_pair_json():
    out = _cli(PAIRS[0][0], PAIRS[0][1], "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["label"] == EXPECTED[0]


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ('{"premise": "a", "hypothesis": "b"}\nnot json\n', "<stdin>:2: not JSON"),
        ('{"premise": "a"}\n', "<stdin>:1: 'hypothesis' must be a non-empty string"),
        ('["a", "b"]\n', "<stdin>:1: expected an object"),
        ('{"premise": "a", "hypothesis": 3}\n', "'hypothesis' must be a non-empty string"),
        ('{"premise": "a", "hypothesis": "b"}\n\n{"premise": "c", "hypothesis": "d"}\n',
         "<stdin>:2: empty line"),
    ],
)
def test_cli_bad_lines_name_the_line_exit_2_and_print_nothing(stdin, message):
    out = _cli("--jsonl", "-", stdin=stdin)
    assert out.returncode == 2
    assert message in out.stderr
    assert out.stdout == ""
    assert "Traceback" not in out.stderr


def test_cli_missing_file_and_missing_hypothesis_are_clear_errors(tmp_path):
    out = _cli("--jsonl", str(tmp_path / "none.jsonl"))
    assert out.returncode == 2 and "no such file" in out.stderr
    out = _cli("only a premise")
    assert out.returncode == 2 and "HYPOTHESIS" in out.stderr


def test_read_pairs_accepts_unicode_and_rejects_blank_fields():
    assert read_pairs(['{"premise": "Åsa är här.", "hypothesis": "Åsa finns."}'], "f") == [
        ("Åsa är här.", "Åsa finns.")]
    with pytest.raises(InputError, match="f:1: 'premise'"):
        read_pairs(['{"premise": "  ", "hypothesis": "x"}'], "f")
