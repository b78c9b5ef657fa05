"""Evidence selection: the sentences of the retrieved chunks (and of their near-duplicates),
scored against the proposition; the best few per source are kept.

Only statements about the world are evidence (`rag.safety.statement`): questions,
instructions, headings, table rows, bare links, meta-text about verdicts and text in the
engine's own answer format are skipped, whatever their similarity, so they never reach a
judge or a prompt.

Relevance mixes the semantic similarity of precomputed sentence embeddings with the
proposition's embedding (works across languages) and term coverage (precise within one).
"""

from __future__ import annotations

import numpy as np

from rag.index.snapshot import Snapshot
from rag.nlp.align import blend, coverage, scaled_similarity
from rag.safety.statement import is_statement
from rag.types import Evidence, Hit, Query

PER_SOURCE = 3
MAX_EVIDENCE = 12
MIN_RELEVANCE = 0.3
# multilingual-e5-small scores a sentence and its translation ~0.05 below the sentence and
# itself (medians 0.91 vs 0.96 on the seed translation pair), so cross-lingual similarity
# is lifted by that much before scaling
CROSS_LINGUAL_OFFSET = 0.045


def relevance(query: Query, sem: float, sentence_text: str, sentence_lang: str) -> float:
    cov, _ = coverage(list(query.terms), sentence_text)
    return blend(sem, cov, cross=sentence_lang != query.lang)


def select_evidence(snap: Snapshot, query: Query, qvec: np.ndarray,
                    hits: list[Hit], only_statements: bool = True) -> list[Evidence]:
    """The evidence for `query` among `hits`' sentences (`only_statements=False` is for
    the test that shows what the statement filter keeps out; the engine never passes it)."""
    idx: list[int] = []
    for h in hits:
        for cid in (h.chunk.id, *h.duplicates):
            for i in snap.by_chunk.get(cid, []):
                if i not in idx:
                    idx.append(i)
    if not idx:
        return []
    cos = snap.sentence_vecs[idx] @ qvec
    scored: list[Evidence] = []
    for i, c in zip(idx, cos, strict=True):
        s = snap.sentences[i]
        if only_statements and not is_statement(s.text):
            continue
        sem = scaled_similarity(float(c) + (CROSS_LINGUAL_OFFSET if s.lang != query.lang else 0))
        rel = relevance(query, sem, s.text, s.lang)
        if rel >= MIN_RELEVANCE:
            scored.append(Evidence(s, snap.docs[s.doc_id].title, rel, similarity=sem,
                                   context=snap.body_text(s.doc_id)))
    scored.sort(key=lambda e: (-e.relevance, e.sentence.doc_id, e.sentence.start))
    kept: list[Evidence] = []
    per_doc: dict[str, int] = {}
    for e in scored:
        if per_doc.get(e.source, 0) < PER_SOURCE:
            per_doc[e.source] = per_doc.get(e.source, 0) + 1
            kept.append(e)
    return kept[:MAX_EVIDENCE]
