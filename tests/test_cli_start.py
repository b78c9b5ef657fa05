"""`factcheck ask` starts fast (issue 17, point 6) — checked by what it does, never by the
clock: one question imports no llama-index (its query went through llama-index only as
indirection; the vectors and scores are the same without it), a one-sentence query is
spanned without punkt (with punkt's own result), and `--jsonl` answers many questions in
one process, one Answer per line, as `ask --json` answers each."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import yaml
from conftest import ROOT, SEEDS, run_cli

QUESTIONS = ["Would a Russian attack that hurts NATO trainers automatically trigger Article 5?",
             "Krävs parlamentets godkännande för att Estland ska träna ukrainska soldater?",
             "How many NATO special operations soldiers were in Ukraine in March 2023?"]


def test_one_question_imports_no_llama_index(seeds_index):
    # (the `llama_index` namespace package itself is found, not run, to locate the data
    # llama-index-core ships: tiktoken's and nltk's files)
    code = ("import sys, io, contextlib\nfrom ui.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    rc = main(['ask', '--json', '--data-dir', {str(seeds_index)!r}, "
            f"{QUESTIONS[0]!r}])\n"
            "print(rc, sorted(set(sys.modules) & "
            "{'llama_index.core', 'gradio', 'fastapi', 'torch'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[0] == "0"
    assert done.stdout.strip().endswith("[]"), done.stdout


def test_vector_query_equals_llama_index_query(checker):
    from llama_index.core.vector_stores.types import VectorStoreQuery

    vectors = checker.snapshot().vectors
    for q in QUESTIONS:
        v = checker.embedder.embed_queries([q])[0].tolist()
        direct = vectors.query(v, 8)
        res = vectors._store.query(VectorStoreQuery(query_embedding=v, similarity_top_k=8))
        via = [(i, 1.0 - (-math.log(s) if s > 0 else 2.0))
               for i, s in zip(res.ids, res.similarities, strict=True)]
        assert [i for i, _ in direct] == [i for i, _ in via]
        assert all(abs(a - b) < 1e-9 for (_, a), (_, b) in zip(direct, via, strict=True))
        llama = checker._llama_embedding().get_query_embedding(q)
        assert llama == v  # the query vector itself is the same without llama-index


def _punkt_spans(line: str, lang: str) -> list[tuple[int, int]]:
    from rag.nlp.text import _punkt

    out = []
    for a, b in _punkt(lang).span_tokenize(line):
        seg = line[a:b]
        lead, trail = len(seg) - len(seg.lstrip()), len(seg) - len(seg.rstrip())
        if b - a - lead - trail > 0:
            out.append((a + lead, b - trail))
    return out


def test_sentence_spans_without_punkt_are_punkts_own():
    from rag.nlp.text import sentence_spans

    lines = [ln for f in sorted(SEEDS.glob("*.txt")) for ln in
             f.read_text(encoding="utf-8").split("\n") if ln.strip()]
    for suite in ("gate", "dev"):
        cases = yaml.safe_load((ROOT / "eval" / "suites" / f"{suite}.yaml").read_text())
        lines += [c["text"] for c in cases["cases"]]
    lines += ["Is it so?", "  Två meningar. Här är den andra!  ", "U.S. troops?", "Hm…"]
    for line in lines:
        for lang in ("en", "sv"):
            assert sentence_spans(line, 0, len(line), lang) == _punkt_spans(line, lang), line


def test_ask_jsonl_answers_each_line_as_ask_json_does(seeds_index, tmp_path):
    d = str(seeds_index)
    lines = [json.dumps({"query": q}, ensure_ascii=False) for q in QUESTIONS]
    lines.insert(1, "")  # blank lines are skipped
    lines.append(json.dumps({"query": ""}))
    lines.append(json.dumps({"query": QUESTIONS[1], "history": [
        {"role": "user", "content": QUESTIONS[0]}, {"role": "assistant", "content": "No."}]}))
    many = run_cli("ask", "--data-dir", d, "--jsonl", "-", input="\n".join(lines) + "\n")
    assert many.returncode == 2, many.stderr  # one question was refused
    out = [json.loads(ln) for ln in many.stdout.splitlines()]
    assert len(out) == 5
    assert out[3]["error"]["code"] == 400 and out[3]["error"]["line"] == 5
    assert "empty" in out[3]["error"]["message"]
    for q, got in zip(QUESTIONS, out[:3], strict=True):
        one = json.loads(run_cli("ask", "--json", "--data-dir", d, q).stdout)
        got.pop("timings_ms"), one.pop("timings_ms")
        assert got == one
    assert out[4]["lang"] == "sv" and out[4]["verdict"]
    path = tmp_path / "qs.jsonl"
    path.write_text(lines[0] + "\n", encoding="utf-8")
    from_file = run_cli("ask", "--data-dir", d, "--jsonl", str(path))
    assert from_file.returncode == 0 and len(from_file.stdout.splitlines()) == 1


def test_ask_jsonl_bad_line_names_it_and_answers_nothing(seeds_index):
    bad = run_cli("ask", "--data-dir", str(seeds_index), "--jsonl", "-",
                  input=json.dumps({"query": QUESTIONS[0]}) + "\n{not json\n")
    assert bad.returncode == 2 and "<stdin>:2" in bad.stderr and not bad.stdout
    both = run_cli("ask", "--data-dir", str(seeds_index), "--jsonl", "-", "why?", input="")
    assert both.returncode == 2 and "not both" in both.stderr
