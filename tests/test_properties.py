"""Property test (issue 7, promise 1): every citation resolves and every quote is verbatim,
through random sequences of ingest / modify / delete / re-ingest.

A Hypothesis state machine keeps a model of the article folder (id -> text, plus the
sources.yaml metadata) and applies random operations to real files, each followed by a
real ingest into real Chroma with the real embedder: add an article (a seed, or one put
together from seed paragraphs, en and sv), change one (append, insert or drop a paragraph,
swap a word, re-save it in Unicode NFD, replace it), delete one (unlink + `ingest --prune`,
or `remove_documents`), re-ingest unchanged files, set a publisher or a language override
in sources.yaml. Ingest is called on the folder, on the folder with prune, or on the one
changed file.

After every step: the index holds exactly the model's articles and texts, equals a clean
ingest of the model's folder (chunk ids, document hashes, documents, every vector), keeps
no build beyond current and previous; and random questions made from the corpus vocabulary
(en and sv, question and claim forms, words of deleted articles included) get answers whose
citations all point at a stored chunk of an article that still exists, quoting
`text[start:end]` of both the stored document and the file (in NFC, the canonical form
offsets refer to: an NFD re-save is the same article).

The embedder is the real one with a per-text memo (the same vectors, computed once), so the
many re-ingests stay cheap. Derandomized: the same examples in every run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unicodedata
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import SEEDS
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from index_helpers import (
    IndexState,
    assert_answer_resolves,
    assert_consistent,
    assert_same_index,
    read_index,
)

from rag.config import Settings
from rag.ingest.build import ingest, remove_documents
from rag.ingest.sources import build_document
from rag.judge.heuristic import OfflineJudge
from rag.pipeline import FactChecker

SEED_TEXTS = {p.stem: p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))}
IDS = [*SEED_TEXTS, "new_alpha", "new_beta"]
PARAGRAPHS = [p.strip() for t in SEED_TEXTS.values() for p in t.split("\n") if len(p) > 60]
VOCAB = sorted({w.strip(".,:;!?\"'()“”’") for t in SEED_TEXTS.values() for w in t.split()}
               - {""})
TEMPLATES = ["Is it true that {}?", "Did {} say that {}?", "What about {}?", "{}?",
             "Stämmer det att {}?", "Sa {} att {}?", "Vad vet vi om {}?", "{}"]


class CachedEmbedder:
    """The session's real embedder, remembering each text's vector (same vectors, once)."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self._memo: dict[tuple[str, str], np.ndarray] = {}

    def _embed(self, kind: str, texts: list[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if (kind, t) not in self._memo))
        if todo:
            fn = self.inner.embed_passages if kind == "p" else self.inner.embed_queries
            for t, v in zip(todo, fn(todo), strict=True):
                self._memo[(kind, t)] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._memo[(kind, t)] for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed("p", texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed("q", texts)


def _has_body(doc_id: str, text: str) -> bool:
    return bool(build_document(doc_id, text).body_spans())


composed_articles = st.builds(
    lambda title, paras: title + "\n\n" + "\n\n".join(paras) + "\n",
    st.sampled_from(PARAGRAPHS).map(lambda p: p[:80].rsplit(" ", 1)[0]),
    st.lists(st.sampled_from(PARAGRAPHS), min_size=1, max_size=4))
questions = st.builds(
    lambda form, words, fill: form.format(*(" ".join(words[i::2]) or fill for i in range(2)))
    if form.count("{}") == 2 else form.format(" ".join(words) or fill),
    st.sampled_from(TEMPLATES), st.lists(st.sampled_from(VOCAB), min_size=1, max_size=8),
    st.sampled_from(VOCAB))


class IndexMachine(RuleBasedStateMachine):
    embedder: CachedEmbedder
    counts: Counter[str]  # operations, checked steps and questions run, for the report

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="factcheck-prop-"))
        self.folder = self.root / "articles"
        self.folder.mkdir()
        self.settings = Settings.from_env(data_dir=self.root / "data")
        self.model: dict[str, str] = {}
        self.meta: dict[str, dict[str, str]] = {}  # sources.yaml: id -> field -> value
        self.checker = FactChecker(self.settings, self.embedder, OfflineJudge(self.embedder))
        self.clean: dict[tuple[object, ...], IndexState] = {}
        self.n_clean = 0

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    # -- the real files and ingest ----------------------------------------------------
    def _write(self, doc_id: str, text: str) -> Path:
        path = self.folder / f"{doc_id}.txt"
        path.write_text(text, encoding="utf-8")
        self.model[doc_id] = unicodedata.normalize("NFC", text)  # offsets refer to NFC
        return path

    def _write_meta(self) -> None:
        lines = [f"{d}:\n" + "".join(f"  {k}: {v}\n" for k, v in sorted(fields.items()))
                 for d, fields in sorted(self.meta.items())]
        (self.folder / "sources.yaml").write_text("\n".join(lines) + "\n" if lines else "{}\n",
                                                  encoding="utf-8")

    def _ingest(self, how: str, path: Path | None = None) -> None:
        if how == "file" and path is not None:
            report = ingest([path], self.settings, self.embedder, progress=False)
        else:
            report = ingest([self.folder], self.settings, self.embedder,
                            prune=how == "prune", progress=False)
        assert not report.skipped, report.skipped

    # -- operations ---------------------------------------------------------------------
    @initialize(ids=st.sets(st.sampled_from(list(SEED_TEXTS)), min_size=1, max_size=3))
    def start(self, ids: set[str]) -> None:
        self._write_meta()
        for doc_id in sorted(ids):
            self._write(doc_id, SEED_TEXTS[doc_id])
        self._ingest("folder")

    @rule(data=st.data(), how=st.sampled_from(["folder", "prune", "file"]))
    def add(self, data: st.DataObject, how: str) -> None:
        absent = [i for i in IDS if i not in self.model]
        if not absent:
            return
        doc_id = data.draw(st.sampled_from(absent), label="id")
        text = data.draw(st.sampled_from([SEED_TEXTS[doc_id]]) if doc_id in SEED_TEXTS
                         and data.draw(st.booleans(), label="seed text") else composed_articles,
                         label="text")
        if not _has_body(doc_id, text):
            return
        self._ingest(how, self._write(doc_id, text))
        self.counts[f"add:{how}"] += 1
        self._check(data)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), how=st.sampled_from(["folder", "prune", "file"]),
          change=st.sampled_from(["append", "insert", "drop", "word", "nfd", "replace"]))
    def modify(self, data: st.DataObject, how: str, change: str) -> None:
        doc_id = data.draw(st.sampled_from(sorted(self.model)), label="id")
        old = self.model[doc_id]
        paras = old.split("\n\n")
        if change == "append":
            new = old.rstrip("\n") + "\n\n" + data.draw(st.sampled_from(PARAGRAPHS)) + "\n"
        elif change == "insert":  # after the first line: every later offset moves
            head, _, rest = old.partition("\n")
            new = head + "\n\n" + data.draw(st.sampled_from(PARAGRAPHS)) + "\n" + rest
        elif change == "drop" and len(paras) > 2:
            i = data.draw(st.integers(1, len(paras) - 1), label="paragraph")
            new = "\n\n".join(paras[:i] + paras[i + 1:])
        elif change == "word":
            words = old.split(" ")
            i = data.draw(st.integers(0, len(words) - 1), label="word")
            words[i] = data.draw(st.sampled_from(VOCAB), label="new word")
            new = " ".join(words)
        elif change == "nfd":  # the same article re-saved in another Unicode form
            new = unicodedata.normalize("NFD", old)
        else:
            new = data.draw(composed_articles, label="new text")
        if new == (self.folder / f"{doc_id}.txt").read_text("utf-8") or not _has_body(doc_id,
                                                                                      new):
            return
        self._ingest(how, self._write(doc_id, new))
        self.counts[f"modify:{change}:{how}"] += 1
        self._check(data)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data(), via=st.sampled_from(["prune", "remove"]))
    def delete(self, data: st.DataObject, via: str) -> None:
        doc_id = data.draw(st.sampled_from(sorted(self.model)), label="id")
        (self.folder / f"{doc_id}.txt").unlink()
        del self.model[doc_id]
        if via == "remove":
            remove_documents([doc_id], self.settings, self.embedder)
        else:
            self._ingest("prune")
        self.counts[f"delete:{via}" + (":last" if not self.model else "")] += 1
        self._check(data)

    @rule(data=st.data(), prune=st.booleans(), meta=st.none() | st.sampled_from(
        [("publisher", "ERR"), ("publisher", "Kyiv Post"), ("lang", "sv"), ("lang", "en")]))
    def reingest(self, data: st.DataObject, prune: bool, meta: tuple[str, str] | None) -> None:
        """The same files again; or with a publisher or a language override set in
        sources.yaml (texts unchanged)."""
        if meta and self.model:
            doc_id = data.draw(st.sampled_from(sorted(self.model)), label="id")
            self.meta.setdefault(doc_id, {})[meta[0]] = meta[1]
            self._write_meta()
        if self.model:
            self._ingest("prune" if prune else "folder")
        self.counts["reingest" + (f":{meta[0]}" if meta and self.model else "")] += 1
        self._check(data)

    # -- the invariants, after every step --------------------------------------------------
    def _clean_index(self) -> IndexState:
        key = (tuple(sorted(self.model.items())), repr(sorted(self.meta.items())))
        if key not in self.clean:
            self.n_clean += 1
            folder = self.root / f"clean{self.n_clean}"
            shutil.copytree(self.folder, folder)
            data = self.root / f"clean{self.n_clean}-data"
            ingest([folder], Settings.from_env(data_dir=data), self.embedder, prune=True,
                   progress=False)
            self.clean[key] = read_index(data)
        return self.clean[key]

    def _check(self, data: st.DataObject) -> None:
        self.counts["checked steps"] += 1
        state = read_index(self.settings.data_dir)
        files = {p.stem: unicodedata.normalize("NFC", p.read_text("utf-8"))
                 for p in self.folder.glob("*.txt")}
        assert files == self.model
        assert_consistent(state, self.model)
        for doc_id, fields in self.meta.items():
            if doc_id in state.docs:
                doc = state.docs[doc_id]
                assert doc.provenance.publisher == fields.get("publisher", doc.provenance.publisher)
                assert doc.lang == fields.get("lang", doc.lang)
                assert {c.lang for c in state.chunks.values() if c.doc_id == doc_id} <= {doc.lang}
        clean = self._clean_index()
        assert_same_index(state, clean)
        assert ({d: replace(doc, path="") for d, doc in state.docs.items()}
                == {d: replace(doc, path="") for d, doc in clean.docs.items()})
        for _ in range(2):
            q = data.draw(questions, label="question")
            answer = self.checker.ask(q)
            self.counts["questions"] += 1
            assert self.checker.snapshot().build_id == state.build
            assert_answer_resolves(answer, state, files)


@pytest.mark.slow
def test_citations_resolve_through_random_ingest_sequences(embedder):
    IndexMachine.embedder = CachedEmbedder(embedder)
    IndexMachine.counts = Counter()
    # each step costs a second or more: shrinking a failure could take an hour, so it is
    # off unless asked for (FACTCHECK_PROPERTY_SHRINK=1); the failing steps print either way
    shrink = [Phase.shrink] if os.environ.get("FACTCHECK_PROPERTY_SHRINK") else []
    run_state_machine_as_test(IndexMachine, settings=settings(
        max_examples=10, stateful_step_count=5, deadline=None, derandomize=True, database=None,
        phases=[Phase.explicit, Phase.generate, *shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]))
    counts = IndexMachine.counts
    print("property test:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    assert counts["checked steps"] >= 20


def test_found_by_the_property_test_a_pronoun_as_the_name_in_a_claim(checker, seeds_index):
    """"It's" made the judge's name-slot check index an empty list (IndexError)."""
    answer = checker.ask("Is it true that It’s Lithuanian?")
    texts = {p.stem: p.read_text("utf-8") for p in SEEDS.glob("*.txt")}
    assert_answer_resolves(answer, read_index(seeds_index), texts)



def test_a_language_override_rechunks_an_unchanged_text(tmp_path, embedder):
    """`lang:` in sources.yaml changes how an article is split and tagged though its text
    (and hash) stay the same: the index must follow it, as a clean ingest would."""
    folder = tmp_path / "articles"
    folder.mkdir()
    doc_id = "003_fd4e6618132d0377"
    (folder / f"{doc_id}.txt").write_text(SEED_TEXTS[doc_id], "utf-8")
    settings = Settings.from_env(data_dir=tmp_path / "data")
    ingest([folder], settings, embedder, progress=False)
    assert {c.lang for c in read_index(settings.data_dir).chunks.values()} == {"en"}
    (folder / "sources.yaml").write_text(f"{doc_id}:\n  lang: sv\n", "utf-8")
    report = ingest([folder], settings, embedder, progress=False)
    assert report.changed
    state = read_index(settings.data_dir)
    assert state.docs[doc_id].lang == "sv"
    assert {c.lang for c in state.chunks.values()} == {"sv"}
    clean = tmp_path / "clean"
    ingest([folder], Settings.from_env(data_dir=clean), embedder, progress=False)
    assert_same_index(state, read_index(clean))
