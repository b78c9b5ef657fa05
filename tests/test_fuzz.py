"""Promise 5: bad input never crashes anything.

Hypothesis (and schemathesis, from the app's own OpenAPI schema) throws arbitrary bytes and
strings at the ingest loader and chunker, the query analyser, `FactChecker.ask/check/stream`,
the HTTP API (every route, the OpenAI-compatible one included) and the eval suite loader;
explicit cases cover empty, 1 MB, binary, non-UTF-8, UTF-16, NUL bytes, lone surrogates, RTL
overrides, `<|endoftext|>` and NFC vs NFD forms of one article. Every case ends in a clear
error (a reason, an exit code, a 4xx JSON body) or a correct result (offsets that resolve,
quotes that are the stored text); never a 5xx, a traceback or a lost index.

Canonical text: an article is stored as its file decoded from UTF-8, without a BOM, in NFC.
Offsets point into that stored text, so `quote == stored_text[start:end]` always holds (and
equals the file's own text wherever the file is already NFC, as the seeds are).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
import yaml
from conftest import SEEDS, run_cli, seed_text
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from eval.dataset import load_suites
from eval.yamlfile import SuiteError
from rag.config import Settings
from rag.errors import InputError
from rag.ingest.chunk import chunk_document
from rag.ingest.sources import build_document, content_hash, read_text_file
from rag.nlp.text import count_tokens
from rag.pipeline import FactChecker
from rag.query.analyse import analyse
from rag.types import VERDICTS, Answer, Document

QUESTION = "Would an attack on NATO trainers automatically trigger Article 5?"
NASTY = ["", " ", "\n", "\r\n", "\x00", "\ufeff", "\u202e", "\u202d", "\u200b", "\u2028",
         "<|endoftext|>", "<|im_start|>system", "</evidence>", "[1]", "[999999]", "?", "...",
         "Šimonytė", unicodedata.normalize("NFD", "Šimonytė"), "Nato-instruktörer", "97",
         "1,000,000", "1e308", "\U0001f469\u200d\U0001f467", "\U000e0041", "\ufffd", "🇪🇪",
         "Article 5", "Kaja Kallas", "Estonia", "trainers", "automatically", "Skulle"]
VOCAB = sorted({w for p in SEEDS.glob("*.txt") for w in re.findall(r"\w+", p.read_text("utf-8"))
                if len(w) > 3})[:400]
PIECES = st.one_of(st.text(max_size=12), st.sampled_from(NASTY), st.sampled_from(VOCAB))
TEXTS = st.lists(PIECES, max_size=30).map(" ".join)
NO_SURROGATES = st.text(st.characters(exclude_categories=("Cs",)), max_size=200)
FUZZ = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples)


# --------------------------------------------------------------------------- the loader

def assert_document(doc: Document, max_tokens: int = 64) -> None:
    """Spans inside the text, in order, disjoint; chunks are the text at their offsets,
    bounded, inside body spans; the hash is of the canonical text."""
    assert doc.hash == content_hash(doc.text)
    last = 0
    for s in doc.spans:
        assert last <= s.start <= s.end <= len(doc.text)
        last = s.end
    body = [(s.start, s.end) for s in doc.body_spans()]
    for c in chunk_document(doc, max_tokens):
        assert c.text == doc.text[c.start:c.end] and c.text.strip()
        assert c.tokens == count_tokens(c.text) <= max_tokens
        assert any(a <= c.start for a, _ in body) and any(c.end <= b for _, b in body)
    json.dumps(doc.text)


def load_bytes(data: bytes, max_bytes: int = 2_000_000) -> str:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "a.txt"
        p.write_bytes(data)
        return read_text_file(p, max_bytes)


@fuzz(150)
@given(st.binary(max_size=3000))
@example(b"\xed\xa0\x80 lone surrogate")
@example(b"\xff\xfeT\x00i\x00")
@example(b"\xef\xbb\xbf")
def test_loader_on_arbitrary_bytes(data):
    try:
        text = load_bytes(data)
    except ValueError as exc:
        assert str(exc)  # a reason
        return
    assert text.strip() and "\x00" not in text and unicodedata.is_normalized("NFC", text)
    assert text == unicodedata.normalize("NFC", data.decode("utf-8").removeprefix("\ufeff"))
    assert_document(build_document("x", text))


@fuzz(150)
@given(st.one_of(TEXTS, NO_SURROGATES).map(lambda t: "Headline\n\n" + t + "\n" + t + "."))
def test_documents_and_chunks_on_arbitrary_text(text):
    text = unicodedata.normalize("NFC", text)
    assert load_bytes(text.encode()) == text if "\x00" not in text else True
    assert_document(build_document("x", text))


BAD_FILES: dict[str, tuple[bytes, str]] = {  # name -> (content, reason it is refused)
    "empty": (b"", "empty"),
    "blank": (b" \n\t\r\n", "empty"),
    "bom_only": (b"\xef\xbb\xbf", "empty"),
    "binary": (bytes(range(256)) * 4, "binary"),
    "nul_late": (b"Headline\n\n" + b"Estonia trains soldiers. " * 500 + b"\x00.", "binary"),
    "latin1": ("Headline\n\nKallas sade att Nato-instruktörer är säkra.\n".encode("latin-1"),
               "UTF-8"),
    "utf16": ("Headline\n\nKallas said it.\n".encode("utf-16"), "UTF-16"),
    "lone_surrogate": (b"Headline\n\nKallas \xed\xa0\x80 said it.\n", "UTF-8"),
    "headline_only": (b"Just a headline", "no article body"),
    "credits_1mb": (b"Headline\n\n" + b"Photo: Example Agency / Someone Else\n" * 28_000,
                    "no article body"),
}
GOOD_FILES: dict[str, bytes] = {  # valid but hostile: indexed, offsets still resolve
    "rtl": "Headline\n\nThe \u202eparliament\u202c approved training troops.\nTallinn "
           "approved training troops on Monday.\n".encode(),
    "endoftext": b"Headline\n\nThe Tallinn parliament approved training troops <|endoftext|>"
                 b" on Monday.\nIt met in Tallinn.\n",
    "crlf_bom": b"\xef\xbb\xbfHeadline\r\n\r\nTallinn approved training troops.\r\n",
    "nfd": unicodedata.normalize("NFD", "Rubrik\n\nŠimonytė godkände utbildningstrupper i "
                                 "Tallinn.\n").encode(),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_has_a_reason(name):
    content, reason = BAD_FILES[name]
    try:
        text = load_bytes(content)
    except ValueError as exc:
        assert reason in str(exc)
        return
    assert not build_document(name, text).body_spans() and reason == "no article body"


def test_one_megabyte_article_loads_and_chunks_within_bounds():
    text = "Headline\n\n" + "The Estonian parliament approved training troops. " * 21_000
    assert len(text.encode()) > 1_000_000
    doc = build_document("big", load_bytes(text.encode()))
    chunks = chunk_document(doc, 160)
    assert len(chunks) > 1000 and all(c.text == doc.text[c.start:c.end] for c in chunks)
    with pytest.raises(ValueError, match="too large"):
        load_bytes(text.encode(), max_bytes=1_000_000)


@pytest.mark.slow
def test_cli_ingest_of_bad_files_is_partial_and_keeps_the_index(tmp_path, seeds_index):
    data = tmp_path / "data"
    shutil.copytree(seeds_index, data)
    before = run_cli("ask", "--json", QUESTION, env={"FACTCHECK_DATA_DIR": str(data)})
    assert before.returncode == 0, before.stderr
    folder = tmp_path / "in"
    folder.mkdir()
    for name, (content, _) in BAD_FILES.items():
        (folder / f"{name}.txt").write_bytes(content)
    for name, content in GOOD_FILES.items():
        (folder / f"{name}.txt").write_bytes(content)
    (folder / os.fsdecode(b"\xff.txt")).write_bytes(GOOD_FILES["crlf_bom"])  # bad name
    out = run_cli("ingest", "--quiet", str(folder), str(tmp_path / "missing.txt"),
                  env={"FACTCHECK_DATA_DIR": str(data)})
    assert out.returncode == 1 and "partial" in out.stdout, out.stderr
    assert "Traceback" not in out.stderr
    skipped = dict(re.findall(r"^skipped (.+?): (.+)$", out.stderr, re.M))
    for name, (_, reason) in BAD_FILES.items():
        assert reason in skipped[str(folder / f"{name}.txt")]
    assert "no such file" in skipped[str(tmp_path / "missing.txt")]
    assert any("file name is not valid UTF-8" in why for why in skipped.values())
    assert not any(f"{name}.txt" in path for name in GOOD_FILES for path in skipped)
    # the seeds still answer as before; the hostile-but-valid articles are quotable
    after = run_cli("ask", "--json", QUESTION, env={"FACTCHECK_DATA_DIR": str(data)})
    assert after.returncode == 0, after.stderr
    old, new = json.loads(before.stdout), json.loads(after.stdout)
    assert (new["verdict"], new["answer"]) == (old["verdict"], old["answer"])
    fc = FactChecker.from_settings(Settings.from_env(data_dir=data))
    snap = fc.snapshot()
    assert set(GOOD_FILES) <= set(snap.docs)
    for name in GOOD_FILES:
        stored = snap.docs[name].text
        assert stored == unicodedata.normalize(
            "NFC", (folder / f"{name}.txt").read_bytes().decode().removeprefix("\ufeff"))
        assert_document(snap.docs[name])
    answer = fc.ask("Did the parliament in Tallinn approve training troops?")
    assert answer.citations
    for c in answer.citations:
        assert c.quote == snap.docs[c.source].text[c.start:c.end]


ANCHOR = ("Tallinn news\n\nThe Estonian parliament approved the training mission in Tallinn "
          "on Monday.\nThe vote was 61 to 20.\n")


@pytest.mark.slow
@fuzz(8)
@given(st.one_of(TEXTS, NO_SURROGATES).map(lambda t: t.encode()) | st.binary(max_size=400))
def test_ingest_of_an_arbitrary_file_is_skipped_or_indexed_correctly(embedder, data):
    """The real ingest (embedder, Chroma, BM25) on one arbitrary file beside a normal one:
    the file is skipped with a reason or indexed with resolvable offsets, and the normal
    article still answers."""
    from rag.ingest.build import ingest
    from rag.judge.heuristic import OfflineJudge

    with tempfile.TemporaryDirectory() as d:
        folder = Path(d) / "in"
        folder.mkdir()
        (folder / "anchor.txt").write_text(ANCHOR, encoding="utf-8")
        (folder / "fuzz.txt").write_bytes(data)
        s = Settings.from_env(data_dir=Path(d) / "data")
        report = ingest([folder], s, embedder, progress=False)
        reasons = {Path(k.path).stem: k.reason for k in report.skipped}
        assert set(reasons) <= {"fuzz"} and all(reasons.values())
        fc = FactChecker(s, embedder, OfflineJudge(embedder))
        snap = fc.snapshot()
        assert ("fuzz" in snap.docs) != ("fuzz" in reasons)
        for doc in snap.docs.values():
            assert_document(doc)
        for c in snap.chunks.values():
            assert c.text == snap.docs[c.doc_id].text[c.start:c.end]
        answer = fc.ask("Did the Estonian parliament approve the training mission?")
        assert "anchor" in {c.source for c in answer.citations}
        for c in answer.citations:
            assert c.quote == snap.docs[c.source].text[c.start:c.end]


@pytest.mark.slow
def test_nfc_and_nfd_forms_are_one_article(tmp_path, embedder):
    """Same hash, same stored (NFC) text, no new build when the other form is ingested; an
    NFD query finds what the NFC query finds; quotes are the stored text at their offsets."""
    from rag.ingest.build import ingest
    from rag.judge.heuristic import OfflineJudge

    text = ("Litauen och utbildning\n\nŠimonytė sade att Litauens parlament godkände att "
            "skicka utbildningstrupper till Ukraina.\nKosiniak-Kamysz höll med Šimonytė.\n")
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "lt.txt").write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    settings_ = Settings.from_env(data_dir=tmp_path / "d")
    first = ingest([folder], settings_, embedder, progress=False)
    (folder / "lt.txt").write_text(unicodedata.normalize("NFC", text), encoding="utf-8")
    second = ingest([folder], settings_, embedder, progress=False)
    assert first.changed and not second.changed and second.build_id == first.build_id
    fc = FactChecker(settings_, embedder, OfflineJudge(embedder))
    doc = fc.snapshot().docs["lt"]
    assert doc.text == unicodedata.normalize("NFC", text)
    assert doc.hash == build_document("lt", unicodedata.normalize("NFD", text)).hash
    q = "Godkände Litauens parlament att skicka utbildningstrupper, enligt Šimonytė?"
    nfc, nfd = fc.ask(q), fc.ask(unicodedata.normalize("NFD", q))
    assert nfc.citations and (nfd.verdict, nfd.answer) == (nfc.verdict, nfc.answer)
    for c in nfc.citations:
        assert c.quote == doc.text[c.start:c.end]


# --------------------------------------------------------------------------- the analyser

@fuzz(300)
@given(st.one_of(TEXTS, st.text(max_size=300)))
@example("\ud800?")
@example("Isn't?")
@example("Does?")
@example("Is it true that?")
def test_analyse_never_crashes(text):
    q = analyse(text)
    assert q.lang in ("en", "sv") and q.kind in ("question", "claim")
    assert q.form in ("yesno", "open", "claim")
    assert all(t == t.lower() for t in q.terms)


# --------------------------------------------------------------------------- the engine

def assert_answer(answer: Answer) -> None:
    assert answer.verdict in VERDICTS and 0.0 <= answer.confidence <= 1.0
    numbers = {c.n for c in answer.citations}
    for c in answer.citations:
        assert c.quote == seed_text(c.source)[c.start:c.end]
    for s in answer.sentences:
        assert set(s.citations) <= numbers
    assert json.loads(json.dumps(answer.to_dict(), ensure_ascii=False)) == answer.to_dict()


QUERIES = st.one_of(TEXTS, st.text(max_size=80), st.just("x" * 2001))


@fuzz(25)
@given(QUERIES)
@example("")
@example("\x00\x00")
@example("\ud800 Article 5?")
@example("<|endoftext|>")
@example("\u202e?5 elcitrA reggirt kcatta na dluoW")
def test_ask_and_stream_on_arbitrary_text(checker, text):
    try:
        answer = checker.ask(text)
    except InputError as exc:
        assert str(exc)
        return
    assert_answer(answer)
    *pieces, final = list(checker.stream(text))
    assert isinstance(final, Answer) and all(isinstance(p, str) for p in pieces)
    assert final.to_dict() | {"timings_ms": {}} == answer.to_dict() | {"timings_ms": {}}


FOLLOW_UPS = ["and what about Lithuania?", "Och Litauen då?", "what about \ud800?", "and?",
              "And what about <|endoftext|>?"]
TURN = st.one_of(TEXTS, st.text(max_size=40), st.integers(), st.none(), st.just("Estonia? " * 1000))
HISTORIES = st.one_of(
    st.none(), st.integers(), st.text(max_size=5),
    st.lists(st.one_of(st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant",
                                                                        "system", 5]),
                                              "content": TURN}),
                       st.tuples(TURN, TURN), st.integers(), st.none()), max_size=4))


@fuzz(20)
@given(st.sampled_from(FOLLOW_UPS), HISTORIES)
def test_follow_ups_with_arbitrary_history(checker, text, history):
    """History is user input too: any shape is a clear error or ignored; an earlier question
    over the query limit is refused, so the standalone question stays bounded."""
    try:
        answer = checker.ask(text, history=history)
    except InputError as exc:
        assert str(exc)
        return
    assert_answer(answer)
    assert len(answer.query) <= 3 * checker.settings.max_query_chars


@fuzz(15)
@given(st.lists(st.one_of(TEXTS, st.sampled_from([
    "Kallas said an attack would trigger Article 5.", "There were 97 NATO soldiers in 2023.",
    "Estonia har skickat 5 000 soldater."])), max_size=4).map(". ".join))
def test_check_on_arbitrary_text(checker, text):
    try:
        answers = checker.check(text)
    except InputError as exc:
        assert str(exc)
        return
    assert answers
    for a in answers:
        assert_answer(a)


# --------------------------------------------------------------------------- the HTTP API

def assert_clean(response: Any) -> None:
    """No 5xx; errors are our JSON error body; successes are JSON (or an SSE stream)."""
    assert response.status_code < 500, response.text[:300]
    kind = response.headers.get("content-type", "")
    kind = kind[0] if isinstance(kind, list) else kind  # schemathesis: lists of values
    if response.status_code >= 400:
        err = response.json()["error"]
        assert err["message"] and err["code"] == response.status_code
    elif kind.startswith("text/event-stream"):
        lines = [x for x in response.text.split("\n\n") if x.strip()]
        assert lines[-1] == "data: [DONE]" and '"factcheck"' in lines[-2]
    else:
        response.json()


def test_every_route_survives_schema_fuzzing(ui_server):
    """schemathesis generates requests for every operation of the app's OpenAPI schema,
    valid ones and (for bodies) ones that break the schema; the real server on 127.0.0.1
    answers each one cleanly."""
    schema = schemathesis.openapi.from_url(f"{ui_server}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/ask", "/api/check", "/api/sources",
                                              "/healthz", "/v1/models", "/v1/chat/completions"}
    modes = {"get": [GenerationMode.POSITIVE],  # no parameters: nothing to get wrong
             "post": [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]}
    for op in operations:
        for mode in modes[op.method.lower()]:
            @fuzz(30)
            @given(case=op.as_strategy(mode))
            def call(case: Any) -> None:
                assert_clean(case.call(timeout=120))

            call()


RAW_BODIES = [
    ("/api/ask", b'{"query": "\\ud800"}'), ("/api/ask", b'{"query": "ok?", "\\ud800": 1}'),
    ("/api/ask", b'{"query": "\xff\xfe"}'), ("/api/ask", b"\xff\xfe{"),
    ("/api/ask", b"[" * 100_000), ("/api/ask", b'{"query": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    ("/api/ask", b'{"query": NaN}'), ("/api/ask", b'{"query": 1e999}'), ("/api/ask", b""),
    ("/api/ask", b'{"query": "' + b"x" * 1_000_001 + b'"}'),
    ("/api/ask", b'{"query": "Article 5?", "history": [{"role": "user", "content": "\\ud800"}]}'),
    ("/api/ask", b'{"query": "\\u202e?5 elcitrA <|endoftext|>"}'),
    ("/api/ask", b'{"query": "and what about Lithuania?", "history": [{"role": "user", '
                 b'"content": "' + b"Estonia? " * 100_000 + b'"}]}'),
    ("/api/check", b'{"text": "\\u0000"}'), ("/api/check", b'{"text": "' + b"a. " * 9000 + b'"}'),
    ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": "\\ud800?"}], '
                             b'"stream": true}'),
    ("/v1/chat/completions", b'{"messages": [{"role": "\\ud800", "content": "x"}]}'),
    ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": [{"type": "text"}]}]}'),
    ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": [{"type": '
                             b'"image_url", "image_url": {"url": "http://x"}}]}]}'),
    ("/v1/chat/completions", b'{"messages": [{"role": "user", "content": null}], '
                             b'"stream": true}'),
    ("/v1/chat/completions", b'{"messages": [{"role": "tool", "content": "x"}]}'),
    ("/v1/chat/completions", b'{"messages": []}'), ("/v1/chat/completions", b"{}"),
]


@pytest.mark.parametrize("path,body", RAW_BODIES, ids=[f"{p}-{i}" for i, (p, _) in
                                                      enumerate(RAW_BODIES)])
def test_raw_bodies_get_clean_answers(ui_server, path, body):
    r = requests.post(ui_server + path, data=body, timeout=120,
                      headers={"content-type": "application/json"})
    assert_clean(r)


GRADIO_BAD = [
    ("/ask", ("", None), "query is empty"), ("/ask", ("x" * 3000, None), "too long"),
    ("/ask", (None, None), "must be text"), ("/ask", (5, None), "must be text"),
    ("/ask", ("and Lithuania?", 5), "history must be a list"),
    ("/ask", ("and Lithuania?", [{"role": "user", "content": "Estonia? " * 1000}]),
     "history turn 1 is too long"),
    ("/check", ("",), "text is empty"), ("/check", ("x" * 30_000,), "too long"),
    ("/check", ("\x00",), "text is empty"), ("/check", ("hello there",), "no check-worthy"),
]


def test_gradio_named_endpoints_answer_bad_input_with_our_message(ui_server):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(ui_server + "/", verbose=False, analytics_enabled=False)
    for api, args, message in GRADIO_BAD:
        with pytest.raises(AppError, match=message):
            client.predict(*args, api_name=api)
    assert client.predict("\u202e<|endoftext|> Article 5?", None, api_name="/ask")["verdict"] \
        in VERDICTS


# --------------------------------------------------------------------------- eval suites

CASE = {"id": "c1", "text": "Does Article 5 apply?", "lang": "en", "kind": "question",
        "expected": "refuted", "sources": ["001_0f2719b2d72ad6a5"]}
JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                       lambda kids: st.lists(kids, max_size=4)
                       | st.dictionaries(st.text(max_size=8), kids, max_size=4), max_leaves=12)


def _suite_file(content: str | bytes, suffix: str = ".yaml") -> Any:
    d = tempfile.mkdtemp()
    p = Path(d) / f"s{suffix}"
    p.write_bytes(content.encode("utf-8", "surrogatepass") if isinstance(content, str)
                  else content)
    return p


def load_or_error(path: Path) -> None:
    try:
        suites = load_suites([path])
    except SuiteError as exc:
        assert str(exc) and str(path) in str(exc)
        return
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    for s in suites:
        for c in s.cases:
            assert c.expected in VERDICTS and c.lang in ("en", "sv")


@fuzz(150)
@given(st.one_of(
    JSONISH.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    st.dictionaries(st.sampled_from([*CASE, "tags", "pair", "must_contain", "x"]), JSONISH,
                    max_size=7).map(lambda c: yaml.safe_dump({"cases": [{**CASE, **c}]})),
    st.text(max_size=300), st.binary(max_size=300)))
def test_malformed_yaml_suites_are_suite_errors(content):
    load_or_error(_suite_file(content))


@fuzz(80)
@given(st.lists(st.one_of(JSONISH.map(json.dumps), st.text(max_size=50),
                          st.dictionaries(st.sampled_from(list(CASE)), JSONISH, max_size=6)
                          .map(lambda c: json.dumps({**CASE, **c}))), max_size=4))
def test_malformed_jsonl_suites_are_suite_errors(lines):
    load_or_error(_suite_file("\n".join(lines), ".jsonl"))


BROKEN_SUITES = {
    "bad_date.yaml": "cases:\n  - {id: a, text: 2024-13-45, lang: en, kind: claim, "
                     "expected: not_enough_info}\n",
    "deep.yaml": "[" * 5000 + "]" * 5000,
    "deep.jsonl": '{"id": ' + "[" * 5000 + "]" * 5000 + "}",
    "equivalents.yaml": "cases: []\nequivalent_sources: 5\n",
    "regex.yaml": "cases:\n  - {id: a, text: x, lang: en, kind: claim, expected: "
                  "not_enough_info, must_contain: ['a{4294967296}']}\n",
    "python_tag.yaml": "cases: !!python/object/apply:os.system ['true']\n",
    "recursive.yaml": "cases:\n  - &a [*a]\n",
    "wrong_types.yaml": "cases:\n  - {id: 5, text: [x], lang: xx, kind: 1.5, expected: maybe}\n",
    "missing.yaml": "cases:\n  - {id: a}\n",
    "not_utf8.yaml": b"cases: [\xff]",
}


def test_eval_run_on_broken_suites_exits_2_with_one_message_each(tmp_path, capsys):
    from ui.cli import main

    for name, content in BROKEN_SUITES.items():
        p = tmp_path / name
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
        code = main(["--data-dir", str(tmp_path / "no-index"), "eval", "run", str(p),
                     "--quiet", "--no-meta", "--out", str(tmp_path / "runs")])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("factcheck: error: ") and str(p) in err, (name, err)
    assert not (tmp_path / "runs").exists()  # nothing ran


@pytest.mark.slow
def test_eval_cli_errors_are_one_line_without_traceback(tmp_path):
    p = tmp_path / "bad_date.yaml"
    p.write_text(BROKEN_SUITES["bad_date.yaml"], encoding="utf-8")
    for args in ((str(p),), (str(p), "--judge-runs", "0"), (str(tmp_path / "none.yaml"),)):
        out = run_cli("eval", "run", *args, "--no-meta", "--quiet",
                      env={"FACTCHECK_DATA_DIR": str(tmp_path / "d")})
        assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
