"""Evidence selection: the sentences of the retrieved chunks (and of their near-duplicates),
scored against the proposition; the best few per source are kept.

Only statements about the world are evidence (`rag.safety.statement`): questions,
instructions, headings, table rows, bare links, meta-text about verdicts and text in the
engine's own answer format are skipped, whatever their similarity, so they never reach a
judge or a prompt.

One article, or one cluster of near-duplicate articles (a story copied across outlets,
folded into one retrieval slot), cannot take every slot: each source's best sentence comes
before any source's second (`_spread`), and a cluster holds at most `CLUSTER_SHARE` of the
slots while other retrieved chunks have evidence too.

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
CLUSTER_SHARE = MAX_EVIDENCE // 2
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
    cluster = {cid: n for n, h in reversed(list(enumerate(hits)))
               for cid in (h.chunk.id, *h.duplicates)}
    return _spread(scored, {id(e): cluster.get(e.sentence.chunk_id, -1) for e in scored})


def _spread(scored: list[Evidence], cluster_of: dict[int, int]) -> list[Evidence]:
    """At most PER_SOURCE per article, each article's k-th best before any article's
    (k+1)-th, at most CLUSTER_SHARE per cluster while another cluster has evidence; the
    kept ones are returned strongest first, as `scored` has them."""
    rank: dict[int, int] = {}
    per_doc: dict[str, int] = {}
    for e in scored:
        n = per_doc.get(e.source, 0)
        per_doc[e.source] = n + 1
        if n < PER_SOURCE:
            rank[id(e)] = n
    candidates = [e for e in scored if id(e) in rank]
    order = sorted(candidates, key=lambda e: rank[id(e)])  # stable: by relevance within a rank
    several = len({cluster_of[id(e)] for e in candidates}) > 1
    kept: set[int] = set()
    per_cluster: dict[int, int] = {}
    for e in order:
        c = cluster_of[id(e)]
        if several and per_cluster.get(c, 0) >= CLUSTER_SHARE:
            continue
        per_cluster[c] = per_cluster.get(c, 0) + 1
        kept.add(id(e))
        if len(kept) == MAX_EVIDENCE:
            break
    return [e for e in candidates if id(e) in kept]
