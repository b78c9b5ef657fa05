"""Suite and label loading: every malformed case is reported as file:line with what is
wrong; the dev suite and the labelled pairs are golden files checked against the seeds."""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, seed_text

from eval.dataset import DEV_TAGS, TAGS, load_labels, load_suite, load_suites
from eval.yamlfile import SuiteError

DEV = ROOT / "eval" / "suites" / "dev.yaml"
GATE = ROOT / "eval" / "suites" / "gate.yaml"
FOLLOWUPS = ROOT / "eval" / "suites" / "followups.yaml"
LABELS = ROOT / "eval" / "labels"

GOOD_CASE = """  - id: {id}
    lang: {lang}
    kind: claim
    text: Poland has signed arms contracts worth over 4 billion euros.
    expected: supported
    sources: [001_0f2719b2d72ad6a5]
"""


def write(tmp_path: Path, body: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def suite_with(tmp_path: Path, extra_case: str) -> Path:
    return write(tmp_path, "suite: t\ncases:\n" + GOOD_CASE.format(id="ok", lang="en")
                 + extra_case)


def error_of(path: Path) -> str:
    with pytest.raises(SuiteError) as exc:
        load_suites([path])
    return str(exc.value)


@pytest.mark.parametrize("case, line, fragment", [
    ("  - id: x\n    lang: en\n    kind: claim\n    expected: supported\n"
     "    sources: [a]\n", 9, "missing required field 'text'"),
    ("  - id: x\n    lang: en\n    kind: claim\n    text: t\n    expected: supported\n"
     "    sources: [a]\n    colour: red\n", 15, "unknown field 'colour'"),
    ("  - id: x\n    lang: en\n    kind: claim\n    text: t\n    expected: supported\n"
     "    sources: [a]\n    tags: numeric\n", 15, "field 'tags' must be a list of strings"),
    ("  - id: 12\n    lang: en\n    kind: claim\n    text: t\n    expected: supported\n"
     "    sources: [a]\n", 9, "field 'id' must be a string"),
    ("  - id: x\n    lang: de\n    kind: claim\n    text: t\n    expected: supported\n"
     "    sources: [a]\n", 10, "lang must be one of"),
    ("  - id: x\n    lang: en\n    kind: rumour\n    text: t\n    expected: supported\n"
     "    sources: [a]\n", 11, "kind must be one of"),
    ("  - id: x\n    lang: en\n    kind: claim\n    text: t\n    expected: true\n"
     "    sources: [a]\n", 13, "field 'expected' must be a string"),
    ("  - id: x\n    lang: en\n    kind: claim\n    text: t\n    expected: mostly_true\n"
     "    sources: [a]\n", 13, "expected must be one of"),
    ("  - id: x\n    lang: en\n    kind: claim\n    text: t\n    expected: supported\n"
     "    sources: [a]\n    tags: [satire]\n", 15, "unknown tag 'satire'"),
    ("  - id: x\n    lang: en\n    kind: claim\n    text: t\n    expected: supported\n"
     "    sources: [a]\n    must_contain: ['(unclosed']\n", 15, "does not compile"),
    ("  - id: x\n    lang: en\n    kind: claim\n    text: t\n    expected: not_enough_info\n"
     "    sources: [a]\n", 14, "cannot name sources"),
    ("  - id: x\n    lang: en\n    kind: claim\n    text: t\n    expected: refuted\n", 9,
     "must name its gold sources"),
    ("  - id: 'has space'\n    lang: en\n    kind: claim\n    text: t\n    expected: supported\n"
     "    sources: [a]\n", 9, "may only use letters"),
    ("  - id: x\n    id: y\n    lang: en\n", 10, "duplicate key 'id'"),
])
def test_malformed_case_is_reported_with_file_and_line(tmp_path, case, line, fragment):
    path = suite_with(tmp_path, case)
    message = error_of(path)
    assert f"{path}:{line}:" in message, message
    assert fragment in message


def test_duplicate_ids_within_and_across_files(tmp_path):
    a = write(tmp_path, "cases:\n" + GOOD_CASE.format(id="dup", lang="en")
              + GOOD_CASE.format(id="dup", lang="sv"), "a.yaml")
    message = error_of(a)
    assert f"{a}:8: duplicate id 'dup' (first at {a}:2)" in message
    b = write(tmp_path, "cases:\n" + GOOD_CASE.format(id="one", lang="en"), "b.yaml")
    c = write(tmp_path, "cases:\n" + GOOD_CASE.format(id="one", lang="en"), "c.yaml")
    with pytest.raises(SuiteError, match=re.escape(f"{c}:2: duplicate id 'one' (first at {b}:2)")):
        load_suites([b, c])


@pytest.mark.parametrize("langs, fragment", [
    (["en"], "has 1 case(s)"),
    (["en", "en"], "links two en cases"),
    (["en", "sv", "sv"], "has 3 case(s)"),
])
def test_pairs_are_one_en_and_one_sv_twin(tmp_path, langs, fragment):
    body = "cases:\n" + "".join(GOOD_CASE.format(id=f"c{i}", lang=lang) + "    pair: p\n"
                                for i, lang in enumerate(langs))
    assert fragment in error_of(write(tmp_path, body))


def test_malformed_yaml_and_top_level(tmp_path):
    assert "malformed YAML" in error_of(write(tmp_path, "cases:\n  - id: [unclosed\n"))
    assert "needs a 'cases' list" in error_of(write(tmp_path, "suite: x\ncases: 3\n", "b.yaml"))
    assert "unknown top-level key 'cases_'" in error_of(
        write(tmp_path, "cases_: []\ncases: []\n", "c.yaml"))
    assert "no such suite file" in error_of(tmp_path / "missing.yaml")


def test_every_error_is_reported_at_once(tmp_path):
    path = suite_with(tmp_path, "  - id: x\n    lang: de\n    kind: rumour\n    text: t\n"
                                "    expected: supported\n    sources: [a]\n")
    message = error_of(path)
    assert "lang must be one of" in message and "kind must be one of" in message


def test_jsonl_suites_load_and_report_lines(tmp_path):
    good = ('{"id": "j1", "lang": "sv", "kind": "claim", "text": "t", "expected": '
            '"not_enough_info", "tags": ["unanswerable"]}\n')
    suite = load_suite(write(tmp_path, good, "s.jsonl"))
    assert suite.name == "s" and suite.cases[0].tags == ("unanswerable",)
    bad = write(tmp_path, good + "\n{not json\n", "bad.jsonl")
    assert f"{bad}:3: not valid JSON" in error_of(bad)
    # a raw line separator inside a JSON string is text, not the end of a line
    odd = good.replace('"text": "t"', '"text": "a\u2028b\u0085c"')
    assert load_suite(write(tmp_path, odd, "odd.jsonl")).cases[0].text == "a\u2028b\u0085c"


# --------------------------------------------------------------- golden: the dev suite

def test_dev_suite_is_big_bilingual_and_covers_every_tag():
    (suite,) = load_suites([DEV])
    cases = suite.cases
    langs = collections.Counter(c.lang for c in cases)
    assert len(cases) >= 80
    assert abs(langs["sv"] - langs["en"]) <= len(cases) * 0.1
    assert {t for c in cases for t in c.tags} == set(DEV_TAGS)
    pairs = collections.Counter(c.pair for c in cases if c.pair)
    assert pairs and set(pairs.values()) == {2}
    assert {c.expected for c in cases} == {"supported", "refuted", "conflicting",
                                            "not_enough_info"}


def test_dev_suite_names_only_real_sources():
    (suite,) = load_suites([DEV])
    stems = {p.stem for p in SEEDS.glob("*.txt")}
    for c in suite.cases:
        assert set(c.sources) <= stems, c.id
    for group in suite.equivalents:
        assert group <= stems


def test_gate_suite_is_held_out_bilingual_and_names_real_sources():
    """The release gate's own cases: at least 120, about half Swedish, none a dev case."""
    (gate,) = load_suites([GATE])
    (dev,) = load_suites([DEV])
    langs = collections.Counter(c.lang for c in gate.cases)
    assert len(gate.cases) >= 120 and langs["sv"] >= len(gate.cases) * 0.45
    def norm(t: str) -> str:
        return " ".join(t.lower().split())
    assert not {norm(c.text) for c in gate.cases} & {norm(c.text) for c in dev.cases}
    assert not {c.id for c in gate.cases} & {c.id for c in dev.cases}
    stems = {p.stem for p in SEEDS.glob("*.txt")}
    for c in gate.cases:
        assert set(c.sources) <= stems, c.id
    (followups,) = load_suites([FOLLOWUPS])
    assert set(TAGS) == {t for s in (gate, dev, followups) for c in s.cases for t in c.tags}


def test_must_contain_facts_occur_in_a_gold_source():
    """A fact regex no gold article contains could never be found: a broken case."""
    (suite,) = load_suites([DEV])
    for c in suite.cases:
        for rx in c.must_contain:
            assert any(re.search(rx, seed_text(s)) for s in c.sources), (c.id, rx)


def test_labels_are_verbatim_bilingual_and_hard():
    pairs = load_labels(LABELS)
    assert len(pairs) >= 150
    for p in pairs:
        assert p.passage in seed_text(p.source), p.id
    assert {p.lang for p in pairs} == {"en", "sv"}
    assert any(p.lang != p.passage_lang for p in pairs)
    kinds = collections.Counter(p.kind for p in pairs if p.label != "supported")
    for kind in ("number", "entity", "negation"):
        assert kinds[kind] >= 5, kinds
    assert sum(p.kind == "two-sentence" for p in pairs) >= 5
    assert set(collections.Counter(p.label for p in pairs)) == {"supported", "refuted",
                                                                "unsupported"}


def test_label_file_errors(tmp_path):
    f = write(tmp_path, "passages:\n  a: {source: s, text: t}\npairs:\n"
                        "  - {id: x, claim: c, passage: b, lang: en, label: supported}\n"
                        "  - {id: y, claim: c, passage: a, lang: en, label: maybe}\n",
              "labels.yaml")
    with pytest.raises(SuiteError) as exc:
        load_labels(f)
    assert f"{f}:4: unknown passage 'b'" in str(exc.value)
    assert f"{f}:5: label must be one of" in str(exc.value)


def test_follow_up_suite_is_conversations_half_swedish_with_standalone_questions():
    """Issue 17: at least 40 two- and three-turn conversations, half Swedish; every case a
    follow-up with the standalone question expected; real sources; no id or text shared
    with another suite."""
    (fu,) = load_suites([FOLLOWUPS])
    (dev,) = load_suites([DEV])
    (gate,) = load_suites([GATE])
    conversations = {c.history[0]: c.lang for c in fu.cases}
    assert len(conversations) >= 40
    assert collections.Counter(conversations.values())["sv"] >= len(conversations) * 0.45
    assert all(c.history and c.standalone for c in fu.cases)
    assert {len(c.history) for c in fu.cases} == {1, 2}  # two- and three-turn
    stems = {p.stem for p in SEEDS.glob("*.txt")}
    for c in fu.cases:
        assert set(c.sources) <= stems, c.id
    others = {c.id for c in dev.cases} | {c.id for c in gate.cases}
    assert not {c.id for c in fu.cases} & others


@pytest.mark.parametrize(("extra", "message"), [
    ("    standalone: Has France sent trainers?\n", "needs a history"),
    ('    history: ["  "]\n    standalone: x\n', "history turn is empty"),
    ("    history: Has the US sent trainers?\n", "must be a list of strings"),
])
def test_follow_up_fields_are_checked(tmp_path, extra, message):
    p = tmp_path / "s.yaml"
    p.write_text("suite: s\ncases:\n  - id: a\n    lang: en\n    kind: question\n"
                 "    text: What about France?\n    expected: not_enough_info\n" + extra,
                 encoding="utf-8")
    with pytest.raises(SuiteError, match=message):
        load_suite(p)
