"""The verification pass every answer goes through, extractive or generated:

- a citation stays only if its quote is exactly `Document.text[start:end]` of the build;
- `[n]` markers that resolve to no valid citation are removed and reported;
- each sentence's support is recorded: a sentence that quotes its citation verbatim is
  fully supported; otherwise the caller's support score stands; a sentence with no valid
  citation has support 0 and is dropped (listed in `warnings`) or kept and flagged.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.types import Answer, AnswerSentence, Citation, Document

MARKER = re.compile(r"\s?\[(\d+)\]")
SUPPORTED = 0.5


def verify(answer: Answer, docs: dict[str, Document], drop_unsupported: bool = True) -> Answer:
    warnings = list(answer.warnings)
    valid: dict[int, Citation] = {}
    for c in answer.citations:
        doc = docs.get(c.source)
        if doc is None or not (0 <= c.start <= c.end <= len(doc.text)) \
                or doc.text[c.start:c.end] != c.quote:
            warnings.append(f"citation_invalid: [{c.n}] does not match {c.source}"
                            f"[{c.start}:{c.end}]; removed")
            continue
        valid[c.n] = c
    sentences: list[AnswerSentence] = []
    for s in answer.sentences:
        text = s.text
        for m in {int(x) for x in MARKER.findall(text)} - set(valid):
            text = re.sub(rf"\s?\[{m}\]", "", text)
            warnings.append(f"unknown_citation: [{m}] removed")
        cites = tuple(dict.fromkeys(n for n in (*s.citations, *map(int, MARKER.findall(text)))
                                    if n in valid))
        support = s.support if cites else 0.0
        if cites and all(valid[n].quote in text for n in cites):
            support = 1.0
        supported = bool(cites) and support >= SUPPORTED
        if not supported and drop_unsupported:
            warnings.append(f"unsupported_sentence_dropped: {text[:80]}")
            continue
        sentences.append(AnswerSentence(text, cites, support, supported))
    used = {n for s in sentences for n in s.citations}
    citations = tuple(c for n, c in sorted(valid.items()) if n in used)
    body = "\n".join(s.text for s in sentences) if sentences else answer.answer
    return replace(answer, answer=body, citations=citations, sentences=tuple(sentences),
                   warnings=tuple(dict.fromkeys(warnings)))
