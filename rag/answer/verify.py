"""The verification pass every answer goes through, extractive or generated:

- a citation stays only if its quote is exactly `Document.text[start:end]` of the build;
- `[n]` markers that resolve to no valid citation are removed and reported;
- each sentence's support is recorded: a sentence that quotes its citation verbatim is
  fully supported — for generated text only if the words around the quote add nothing
  (no number, negation or content word the cited quotes and titles do not give; attribution
  frames like "Reuters reported that" are fine), since "It is false that <quote>" or
  "<quote>, and the deal was cancelled" quote verbatim too; otherwise the caller's support
  score stands; a sentence with no valid
  citation has support 0 and is dropped (listed in `warnings`) or kept and flagged;
- a sentence that arrives `UNSCORED` (generated text, untrusted) is scored by a support
  scorer against the quotes it cites (`EvidenceSupport`); with no scorer it scores 0.

`EvidenceSupport` lines a generated sentence up with its cited quotes: semantic similarity
(across languages) and term coverage, as evidence selection does, and then vetoes: a
number or a name the cited quotes do not give, or a contradiction the offline judge finds
(flipped polarity, another number, another name), scores 0. It is deliberately strict: a
true sentence it cannot check is dropped, never shown as supported.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from typing import Any, Protocol

from rag.backends.embed import Embedder
from rag.judge.heuristic import OfflineJudge
from rag.judge.polarity import polarity_negative
from rag.nlp.align import (
    blend,
    content_terms,
    coverage,
    non_content,
    scaled_similarity,
    sentence_keys,
    term_found,
)
from rag.nlp.entities import entities, entity_found
from rag.nlp.lexicon import ATTRIBUTION, DISCOURSE, NEGATIONS, all_of
from rag.nlp.quantities import consistent, extract
from rag.nlp.text import detect_lang, words
from rag.query.analyse import analyse, as_claim
from rag.query.evidence import CROSS_LINGUAL_OFFSET
from rag.types import Answer, AnswerSentence, Citation, Document, Evidence, Sentence, Warning

MARKER = re.compile(r"\s?\[(\d+)\]")
SUPPORTED = 0.5
UNSCORED = -1.0  # the support of a sentence from untrusted text: the scorer decides


class SupportScorer(Protocol):
    def __call__(self, text: str, cited: list[Citation]) -> tuple[float, str]: ...


def verify(answer: Answer, docs: dict[str, Document], drop_unsupported: bool = True,
           scorer: SupportScorer | None = None) -> Answer:
    warnings = list(answer.warnings)
    valid: dict[int, Citation] = {}
    for c in answer.citations:
        doc = docs.get(c.source)
        if doc is None or not (0 <= c.start <= c.end <= len(doc.text)) \
                or doc.text[c.start:c.end] != c.quote:
            warnings.append(Warning("citation_invalid", f"[{c.n}] does not match {c.source}"
                                                        f"[{c.start}:{c.end}]; removed"))
            continue
        valid[c.n] = c
    sentences: list[AnswerSentence] = []
    for s in answer.sentences:
        text = s.text
        for m in {int(x) for x in MARKER.findall(text)} - set(valid):
            text = re.sub(rf"\s?\[{m}\]", "", text)
            warnings.append(Warning("unknown_citation", f"[{m}] removed"))
        cites = tuple(dict.fromkeys(n for n in (*s.citations, *map(int, MARKER.findall(text)))
                                    if n in valid))
        support = s.support if cites else 0.0
        why = ""
        added = _added_to_quotes(text, [valid[n] for n in cites]) \
            if cites and s.support == UNSCORED else []
        if cites and all(valid[n].quote in text for n in cites) and not added:
            support = 1.0
        elif added and all(valid[n].quote in text for n in cites):
            support, why = 0.0, ("adds to its verbatim quote what the cited evidence does not "
                                 "say: " + ", ".join(added[:5]))
        elif s.support == UNSCORED:
            support, why = scorer(text, [valid[n] for n in cites]) if cites and scorer \
                else (0.0, "no valid citation" if not cites else "not checked")
        supported = bool(cites) and support >= SUPPORTED
        why = f" ({why})" if why else ""
        if not supported and drop_unsupported:
            warnings.append(Warning("unsupported_sentence_dropped", f"{text[:80]}{why}"))
            continue
        if not supported:
            warnings.append(Warning("unsupported_sentence_flagged", f"{text[:80]}{why}"))
        sentences.append(replace(s, text=text, citations=cites, support=max(support, 0.0),
                                 supported=supported))
    used = {n for s in sentences for n in s.citations}
    citations = tuple(c for n, c in sorted(valid.items()) if n in used)
    body = "\n".join(s.text for s in sentences) if sentences else answer.answer
    return replace(answer, answer=body, citations=citations, sentences=tuple(sentences),
                   warnings=tuple(dict.fromkeys(warnings)))


def _added_to_quotes(text: str, cited: list[Citation]) -> list[str]:
    """Words a sentence puts around its verbatim quotes that change or add to what they say:
    numbers, negations, and content words the quotes and titles do not give."""
    rest = text
    for c in cited:
        rest = rest.replace(c.quote, " ")
    keys = sentence_keys(" ".join(c.quote for c in cited) + " "
                         + " ".join(c.title for c in cited))
    negations, frame = all_of(NEGATIONS), non_content() | ATTRIBUTION | DISCOURSE
    return list(dict.fromkeys(
        w for w in words(MARKER.sub(" ", rest))
        if w in negations or any(ch.isdigit() for ch in w)
        or (w not in frame and not term_found(w, keys))))


def _polarity_flip(claim: str, terms: list[str], quote: str, cross: bool) -> str:
    """Why the quote says the opposite of the claim, or "". A negation (or denial) on one
    side only, in the whole sentences and, within one language, also in the clauses that
    carry the claim's words (so an unrelated "not" elsewhere in the quote does not count).
    Across languages words do not match and the whole sentences decide: strict on purpose."""
    claim_neg, claim_cues = polarity_negative(claim, [])
    src_neg, src_cues = polarity_negative(quote, [])
    if claim_neg == src_neg:
        return ""
    if not cross and polarity_negative(claim, terms)[0] == polarity_negative(quote, terms)[0]:
        return ""
    return f"polarity differs: source says '{src_cues[0]}'" if src_neg else \
        f"polarity differs: the sentence says '{claim_cues[0]}', the source does not"


class EvidenceSupport:
    """Support of a generated sentence by the quotes it cites, in [0, 1] with a reason."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.judge = OfflineJudge(embedder)
        self._vecs: dict[str, Any] = {}  # quote and sentence embeddings, by text
        self._lock = threading.Lock()

    def _embed(self, texts: list[str]) -> list[Any]:
        with self._lock:
            if len(self._vecs) > 4096:  # generated sentences rarely repeat: keep it bounded
                self._vecs.clear()
            known = {t: self._vecs[t] for t in texts if t in self._vecs}
        todo = [t for t in dict.fromkeys(texts) if t not in known]
        if todo:
            fresh = dict(zip(todo, self.embedder.embed_queries(todo), strict=True))
            known.update(fresh)
            with self._lock:
                self._vecs.update(fresh)
        return [known[t] for t in texts]

    def __call__(self, text: str, cited: list[Citation]) -> tuple[float, str]:
        claim = MARKER.sub("", text).strip()
        terms = content_terms(claim)
        if not terms or not cited:
            return 0.0, "says nothing the evidence can confirm"
        lang = detect_lang(claim)
        quotes = " ".join(c.quote for c in cited)
        keys = sentence_keys(quotes + " " + " ".join(c.title for c in cited))
        for q in extract(claim):
            if not any(consistent(q, s) for s in extract(quotes)):
                return 0.0, f"the cited evidence does not give {q.text}"
        names = entities(claim, skip_initial=True)
        for name in names:
            if not entity_found(name, keys):
                return 0.0, f"the cited evidence does not mention {name}"
        vecs = self._embed([claim, *(c.quote for c in cited)])
        scored: list[tuple[float, float, Citation]] = []  # (score, similarity, citation)
        evidence = []
        flipped = ""
        for c, v in zip(cited, vecs[1:], strict=True):
            cross = c.lang != lang
            sem = scaled_similarity(float(vecs[0] @ v)
                                    + (CROSS_LINGUAL_OFFSET if cross else 0.0))
            score = blend(sem, coverage(terms, c.quote)[0], cross)
            evidence.append(Evidence(Sentence(c.source, c.chunk_id, c.start, c.end, c.quote,
                                              c.lang), c.title, score, similarity=sem))
            cue = _polarity_flip(claim, terms, c.quote, cross)
            if cue:  # a quote that says the opposite supports nothing
                flipped = cue
                continue
            scored.append((score, sem, c))
        if not scored:
            return 0.0, f"contradicts the cited evidence: {flipped}"
        best = max(score for score, _, _ in scored)
        if len(scored) > 1:  # a sentence that combines its citations
            agree = [c for _, _, c in scored]
            joined = " ".join(c.quote for c in agree)
            best = max(best, blend(max(sem for _, sem, _ in scored), coverage(terms, joined)[0],
                                   all(c.lang != lang for c in agree)))
        query = as_claim(analyse(claim), claim)
        for j in self.judge.judge(query, evidence):
            # polarity was checked above, on whole sentences too; a swap of a word that only
            # starts the sentence ("According to Kallas") is no name
            objections = [o for o in j.objections if o.kind not in ("polarity", "prefix")
                          and (o.kind != "name" or o.claim in names)]
            if j.stance == "refutes" and objections:
                return 0.0, "contradicts the cited evidence: " + \
                    "; ".join(o.reason for o in objections)
        return round(best, 4), "" if best >= SUPPORTED else "not close to the cited evidence"
