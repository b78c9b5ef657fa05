"""Split a Document's body into sentence-aligned, token-bounded chunks.

A chunk never crosses a non-body span (title, heading, boilerplate), never exceeds
`max_tokens` tiktoken tokens, and shares `overlap` sentences with the previous chunk of the
same segment. Offsets point into the original `Document.text`. A single sentence longer
than the bound is cut at word boundaries.
"""

from __future__ import annotations

import hashlib
import re

from rag.nlp.text import count_tokens, sentence_spans
from rag.types import Chunk, Document

_WS = re.compile(r"\S+")


def chunk_id(doc_id: str, start: int, end: int, text: str) -> str:
    key = f"{doc_id}\x00{start}\x00{end}\x00{text}".encode()
    return hashlib.sha256(key).hexdigest()[:24]


def body_segments(doc: Document) -> list[tuple[int, int]]:
    """Maximal runs of consecutive body spans (blank lines between them don't break a run)."""
    segments: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for span in doc.spans:
        if span.kind != "body":
            if current:
                segments.append(current)
            current = None
        elif current is None:
            current = (span.start, span.end)
        else:
            current = (current[0], span.end)
    if current:
        segments.append(current)
    return segments


def body_sentences(doc: Document) -> list[tuple[int, int]]:
    """Sentence offsets of the body, each list item / line split separately."""
    out: list[tuple[int, int]] = []
    for span in doc.body_spans():
        out.extend(sentence_spans(doc.text, span.start, span.end, doc.lang))
    return out


def _split_long(text: str, start: int, end: int, max_tokens: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence into word-aligned pieces of at most max_tokens."""
    pieces: list[tuple[int, int]] = []
    piece_start: int | None = None
    last_end = start
    for m in _WS.finditer(text, start, end):
        if piece_start is None:
            piece_start = m.start()
        elif count_tokens(text[piece_start:m.end()]) > max_tokens:
            pieces.append((piece_start, last_end))
            piece_start = m.start()
        last_end = m.end()
        # a single "word" longer than the bound (e.g. a URL or base64 blob): hard cut by chars
        while piece_start is not None and count_tokens(text[piece_start:last_end]) > max_tokens:
            cut = piece_start + max(1, (last_end - piece_start) // 2)
            while count_tokens(text[piece_start:cut]) > max_tokens:
                cut = piece_start + max(1, (cut - piece_start) // 2)
            pieces.append((piece_start, cut))
            piece_start = cut
    if piece_start is not None and piece_start < last_end:
        pieces.append((piece_start, last_end))
    return pieces


def chunk_document(doc: Document, max_tokens: int, overlap: int = 1) -> list[Chunk]:
    text = doc.text
    chunks: list[Chunk] = []
    seen: set[str] = set()

    def emit(a: int, b: int) -> None:
        body = text[a:b]
        cid = chunk_id(doc.id, a, b, body)
        if cid not in seen:
            seen.add(cid)
            chunks.append(Chunk(cid, doc.id, a, b, body, doc.lang, count_tokens(body)))

    for seg_start, seg_end in body_segments(doc):
        sents: list[tuple[int, int]] = []
        for a, b in sentence_spans(text, seg_start, seg_end, doc.lang):
            if count_tokens(text[a:b]) > max_tokens:
                sents.extend(_split_long(text, a, b, max_tokens))
            else:
                sents.append((a, b))
        i = 0
        while i < len(sents):
            j = i + 1
            while j < len(sents) and count_tokens(text[sents[i][0]:sents[j][1]]) <= max_tokens:
                j += 1
            emit(sents[i][0], sents[j - 1][1])
            if j >= len(sents):
                break
            # step back `overlap` sentences, but always make progress
            i = max(i + 1, j - overlap)
    return chunks
