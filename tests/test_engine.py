"""The verified answer engine end to end on the seed articles: verdicts on claims and
questions written for these tests (en and sv), and the invariants every answer keeps."""

import json

import pytest
from conftest import run_cli, seed_text

CASES = [
    # (text, expected verdict) — supported
    ("Kaja Kallas said some countries are already training Ukrainian soldiers on the "
     "battlefield.", "supported"),
    ("Kallas sa att vissa länder redan tränar ukrainska soldater på slagfältet.", "supported"),
    ("Estonia needs parliamentary approval before it can start training Ukrainian soldiers.",
     "supported"),
    ("Estland behöver parlamentets godkännande för att börja träna ukrainska soldater.",
     "supported"),
    ("Poland signed arms supply contracts worth over 4 billion euros.", "supported"),
    ("Putin dismissed claims that Russia intends to attack Europe as nonsense.", "supported"),
    ("Poland does not rule out an attack from Russia after the war in Ukraine.", "supported"),
    ("The US has said it has no plans to send a training force to Ukraine.", "supported"),
    ("Lithuania's parliament approved sending training troops to Ukraine.", "supported"),
    # refuted by number
    ("Military officials from at least 20 NATO countries said Russian aggression against the "
     "alliance is a realistic scenario.", "refuted"),
    ("Militära tjänstemän från minst 20 Nato-länder har sagt att rysk aggression är ett "
     "realistiskt scenario.", "refuted"),
    ("Polen har skrivit vapenkontrakt värda 2 miljarder euro.", "refuted"),
    ("The Discord Leaks revealed 150 NATO special operations soldiers in Ukraine as of "
     "March 2023.", "refuted"),
    # refuted by negation / denial
    ("Estonia can start training Ukrainian soldiers without parliamentary approval.", "refuted"),
    ("Poland has ruled out an attack from Russia after the war in Ukraine.", "refuted"),
    ("Putin bekräftade att Ryssland tänker attackera Europa.", "refuted"),
    # refuted by entity
    ("Finland's Prime Minister Kaja Kallas gave an interview to the Financial Times.",
     "refuted"),
    ("Estonia's national security advisor is Ingrida Šimonytė.", "refuted"),
    # conflicting: 004 calls a deployment a huge escalation, 002 reports Kallas saying not
    ("A NATO training deployment in Ukraine would escalate the war.", "conflicting"),
    # unanswerable
    ("Germany has sent 5,000 troops to train Ukrainian soldiers in Ukraine.", "not_enough_info"),
    ("Tyskland har skickat 5 000 soldater till Ukraina.", "not_enough_info"),
    ("What is the population of Estonia?", "not_enough_info"),
    ("Vad kostar en biljett till Tallinn?", "not_enough_info"),
    ("What did Macron say about Article 5?", "not_enough_info"),
    # questions; Swedish ones answered from English-only facts
    ("Would a Russian attack that hurts NATO trainers in Ukraine automatically trigger "
     "Article 5?", "refuted"),
    ("Skulle en rysk attack som skadar Nato-instruktörer i Ukraina automatiskt utlösa "
     "Artikel 5?", "refuted"),
    ("Vad innebär Artikel 5 i Nordatlantiska fördraget?", "supported"),
    ("Hur många Nato-specialsoldater fanns i Ukraina enligt Discord-läckorna?", "supported"),
]


@pytest.fixture(scope="module")
def answers(checker):
    return {text: checker.ask(text) for text, _ in CASES}


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_verdict(answers, text, expected):
    a = answers[text]
    assert a.verdict == expected, (a.answer, [(c.source, c.stance, c.reason)
                                              for c in a.citations])


def test_every_citation_is_verbatim_from_its_seed_and_never_boilerplate(answers, checker):
    snap = checker.snapshot()
    for a in answers.values():
        for c in a.citations:
            assert c.quote == seed_text(c.source)[c.start:c.end]
            body = snap.docs[c.source].body_spans()
            assert any(s.start <= c.start and c.end <= s.end for s in body), c


def test_every_sentence_cites_known_citations(answers):
    for a in answers.values():
        ns = {c.n for c in a.citations}
        for s in a.sentences:
            assert s.citations and set(s.citations) <= ns and s.supported
            for n in s.citations:
                assert f"[{n}]" in s.text


def test_answers_are_in_the_query_language(answers):
    assert answers[CASES[1][0]].answer.startswith("Stöds")
    sv = answers["Skulle en rysk attack som skadar Nato-instruktörer i Ukraina automatiskt "
                 "utlösa Artikel 5?"]
    assert sv.lang == "sv" and sv.answer.startswith("Nej")
    assert any(c.lang == "en" for c in sv.citations) and "på engelska" in sv.answer
    refusal = answers["Vad kostar en biljett till Tallinn?"]
    assert refusal.answer.startswith("De indexerade artiklarna") and not refusal.citations


def test_article5_question_cites_kallas_from_at_least_two_outlets(answers):
    a = answers[CASES[24][0]]
    refuting = {c.source for c in a.citations if c.stance == "refutes"}
    assert len(refuting) >= 2
    assert all("Kallas" in seed_text(s) for s in refuting)
    assert all(c.reason for c in a.citations)


def test_claim_mode_splits_and_checks(checker):
    from rag.pipeline import summarize

    text = ("Estonia needs parliamentary approval to train Ukrainian soldiers. Is that true? "
            "Poland signed arms contracts worth 2 billion euros. I think we should act.")
    answers = checker.check(text)
    assert [a.kind for a in answers] == ["claim", "claim"]
    assert [a.verdict for a in answers] == ["supported", "refuted"]
    assert summarize(answers) == {"claims": 2, "supported": 1, "refuted": 1,
                                  "conflicting": 0, "not_enough_info": 0}


def test_contract_keys_and_audit_trail(answers, checker):
    d = next(iter(answers.values())).to_dict()
    assert list(d) == ["query", "lang", "kind", "verdict", "confidence", "answer", "citations",
                       "sentences", "backend", "warnings", "timings_ms"]
    assert d["backend"]["index_build"] == checker.snapshot().build_id
    assert set(d["backend"]) == {"answer", "judge", "embedder", "index_build"}
    assert set(d["citations"][0]) == {"n", "source", "chunk_id", "quote", "start", "end",
                                      "stance", "reason", "title", "lang"}
    json.dumps(d)


@pytest.mark.parametrize("bad,msg", [("", "empty"), ("   ", "empty"), ("x" * 2001, "too long")])
def test_bad_input_is_a_clear_error(checker, bad, msg):
    from rag.errors import InputError

    with pytest.raises(InputError, match=msg):
        checker.ask(bad)


def test_from_settings_reads_the_environment(seeds_index, monkeypatch):
    from rag import FactChecker

    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(seeds_index))
    fc = FactChecker.from_settings()
    assert fc.settings.data_dir == seeds_index
    assert fc.ask("What is the population of Estonia?").verdict == "not_enough_info"


def test_cli_ask_json_is_deterministic_across_processes(seeds_index):
    q = "Would harm to NATO trainers automatically trigger Article 5?"
    runs = [run_cli("ask", "--json", "--data-dir", str(seeds_index), q) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    a, b = (json.loads(r.stdout) for r in runs)
    a.pop("timings_ms"), b.pop("timings_ms")
    assert a == b and a["verdict"] == "refuted"


def test_cli_errors_and_formats(seeds_index):
    d = str(seeds_index)
    empty = run_cli("ask", "--data-dir", d, "")
    assert empty.returncode == 2 and "empty" in empty.stderr and "Traceback" not in empty.stderr
    long = run_cli("ask", "--data-dir", d, "x" * 2500)
    assert long.returncode == 2 and "too long" in long.stderr
    review = run_cli("ask", "--format", "claimreview", "--data-dir", d,
                     "Poland signed arms contracts worth 2 billion euros.")
    data = json.loads(review.stdout)
    assert data["@type"] == "ClaimReview" and data["reviewRating"]["ratingValue"] == 1
    check = run_cli("check", "--json", "--data-dir", d, "-",
                    input="Estonia needs parliamentary approval to train Ukrainian soldiers.")
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout)["summary"]["supported"] == 1
    text = run_cli("ask", "--data-dir", d, "Vad innebär Artikel 5 i Nordatlantiska fördraget?")
    assert "verdict: supported" in text.stdout and "[1]" in text.stdout
