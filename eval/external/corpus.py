"""Corpus suites: Climate-FEVER as a product run.

The claims' evidence sentences are grouped by their Wikipedia `article` into documents
(first line the article's title, then each distinct sentence on its own line, in the order
the data first gives them), written to a temp folder, ingested into a temp index with the
engine's own ingest, and every claim is asked through `FactChecker` — exactly as a user's
question. Cases carry the claim's verdict (DISPUTED = conflicting) and, as gold sources,
the articles of the sentences whose stance backs that verdict; the run is scored by
`eval.runner.run_suites` with the same metrics as the own suites.

With a subset of claims, the corpus is the subset's own evidence (fewer distractors than
the full corpus; the full run uses all 1,535 claims and all their articles). The temp
folder is deleted afterwards: the data is never kept in the repository or runs/.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from eval.dataset import Case, Suite
from eval.external.loaders import Claim

SUITE = "climate-fever-corpus"
_BACKS = {"supported": ("entailment",), "refuted": ("contradiction",),
          "conflicting": ("entailment", "contradiction"), "not_enough_info": ()}


def doc_id(article: str) -> str:
    return "cf_" + hashlib.sha256(article.encode("utf-8")).hexdigest()[:16]


def documents(claims: list[Claim]) -> dict[str, tuple[str, list[str]]]:
    """doc id -> (article title, its distinct sentences in first-seen order)."""
    docs: dict[str, tuple[str, list[str]]] = {}
    for c in claims:
        for e in c.evidence:
            title, sents = docs.setdefault(doc_id(e.article), (e.article, []))
            text = " ".join(e.sentence.split())
            if text not in sents:
                sents.append(text)
    return docs


def write_documents(claims: list[Claim], folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    docs = documents(claims)
    for did, (title, sents) in docs.items():
        (folder / f"{did}.txt").write_text(" ".join(title.split()) + "\n\n"
                                           + "\n".join(sents) + "\n", encoding="utf-8")
    return len(docs)


def cases(claims: list[Claim], path: str) -> list[Case]:
    out = []
    for c in claims:
        backs = _BACKS[c.verdict]
        sources = tuple(dict.fromkeys(doc_id(e.article) for e in c.evidence
                                      if e.stance in backs))
        out.append(Case(id=f"cf-{c.id}", text=c.text, lang="en", kind="claim",
                        expected=c.verdict, sources=sources,  # type: ignore[arg-type]
                        tags=("climate-fever",), suite=SUITE, where=f"{path}:{c.line}"))
    return out


def run_corpus(claims: list[Claim], source_file: Path, judge: str = "offline",
               progress: bool = False, workdir: Path | None = None) -> dict[str, Any]:
    """Ingest the claims' articles into a temp index, ask every claim, score the answers;
    the results.json payload of `eval.runner.run_suites`."""
    from eval.judges import make_scorer, seed_passages
    from eval.runner import run_suites
    from rag.config import Settings
    from rag.ingest.build import ingest
    from rag.pipeline import FactChecker

    tmp = Path(tempfile.mkdtemp(prefix="factcheck-cf-", dir=workdir))
    try:
        n_docs = write_documents(claims, tmp / "docs")
        settings = replace(Settings.from_env(data_dir=tmp / "index"),
                           seeds_dir=tmp / "docs", llm_base_url=None)
        checker = FactChecker.from_settings(settings)
        report = ingest([tmp / "docs"], settings, checker.embedder, progress=progress)
        snap = checker.snapshot()
        texts = {d.id: d.text for d in snap.docs.values()}
        seed_passages(checker.embedder, [s.text for s in snap.sentences], snap.sentence_vecs)
        suite = Suite(SUITE, "Climate-FEVER claims asked over their own Wikipedia evidence "
                             "(external data, English)", str(source_file),
                      hashlib.sha256(source_file.read_bytes()).hexdigest(),
                      tuple(cases(claims, str(source_file))))
        payload = run_suites(checker, [suite], make_scorer(judge, checker.embedder), texts,
                             progress=progress,
                             engine_info={"corpus": {"claims": len(claims), "documents": n_docs,
                                                     "ingest": report.summary()}})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return payload
