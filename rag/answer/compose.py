"""The extractive composer: a lead sentence in the query's language that states the
verdict, then the strongest evidence quoted verbatim with [n] citations, grouped by stance
when the sources disagree. Quotes from an article in another language stay in the original,
labelled with that language.

`not_enough_info` is a refusal. When retrieval found passages close to the claim that the
judge found no verdict in (a near-paraphrase: "special forces" where the article says
"special operations"), the refusal quotes the closest of them, so the reader sees what the
articles do say and why it was not enough; only when nothing close was found is it the
plain refusal with no citations. The refusal's lead is a frame (`lead_states_verdict`):
it states no verdict the quotes could back.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.types import UNTITLED, AnswerSentence, Citation, Evidence, Query, Verdict

MAX_QUOTES = 4
MAX_RELATED = 2
# How close (Evidence.relevance) a passage must be to be quoted in a refusal. Measured on
# the suites' closest evidence: at 0.65, 79-81% of the unanswerable gate/dev cases keep
# the plain refusal, while 66-89% of the answerable ones show their closest passage.
RELATED_MIN = 0.65

LEADS: dict[tuple[str, str], dict[str, str]] = {
    ("yesno", "supported"): {"en": "Yes — according to the sources.",
                             "sv": "Ja — enligt källorna."},
    ("yesno", "refuted"): {"en": "No — according to the sources, that is not the case.",
                           "sv": "Nej — enligt källorna stämmer det inte."},
    ("claim", "supported"): {"en": "Supported — the sources say this.",
                             "sv": "Stöds — källorna säger detta."},
    ("claim", "refuted"): {"en": "Refuted — the sources say otherwise.",
                           "sv": "Motsägs — källorna säger något annat."},
    ("open", "supported"): {"en": "According to the sources:", "sv": "Enligt källorna:"},
    ("open", "conflicting"): {"en": "The sources give different answers:",
                              "sv": "Källorna ger olika svar:"},
    ("any", "conflicting"): {"en": "The sources disagree on this.",
                             "sv": "Källorna går isär i den här frågan."},
    ("any", "not_enough_info"): {
        "en": "The indexed articles do not say enough to answer this.",
        "sv": "De indexerade artiklarna säger inte tillräckligt för att besvara detta."},
}
RELATED_LEAD = {"en": "Closest in the articles:",
                "sv": "Närmast i artiklarna:"}
GROUP = {"supports": {"en": "Supporting", "sv": "För"},
         "refutes": {"en": "Contradicting", "sv": "Emot"}}
LANG_NAME = {"en": {"en": "in English", "sv": "in Swedish"},
             "sv": {"en": "på engelska", "sv": "på svenska"}}
UNTITLED_NAME = {"en": "Untitled article", "sv": "Artikel utan rubrik"}


# leads that introduce the quotes and state no verdict (an open question's answer)
FRAME_LEADS = {("open", "supported"), ("any", "not_enough_info")}


def _lead_key(form: str, label: str) -> tuple[str, str]:
    for key in ((form, label), ("any", label), ("claim", label)):
        if key in LEADS:
            return key
    return ("any", "not_enough_info")


def lead(query: Query, verdict: Verdict) -> str:
    return LEADS[_lead_key(query.form, verdict.label)][query.lang]


def lead_states_verdict(form: str, label: str) -> bool:
    """Does the lead of a `form` query with a `label` verdict state that verdict?"""
    return _lead_key(form, label) not in FRAME_LEADS


def _pick(verdict: Verdict) -> list[Evidence]:
    """Strongest quotes, one per source first so that distinct outlets are shown."""
    chosen: list[Evidence] = []
    seen: set[str] = set()
    for e in verdict.evidence:
        if e.source not in seen:
            chosen.append(e)
            seen.add(e.source)
    for e in verdict.evidence:
        if e not in chosen:
            chosen.append(e)
    if verdict.label == "conflicting":
        sides = [[e for e in chosen if e.judgement.stance == s] for s in ("supports", "refutes")]
        half = MAX_QUOTES // 2
        return sides[0][:half] + sides[1][:half]
    return chosen[:MAX_QUOTES]


def related(evidence: Sequence[Evidence]) -> list[Evidence]:
    """The passages a refusal quotes: judged (not a failed judgement), close to the claim,
    the closest first, one per source."""
    close = sorted((e for e in evidence if e.relevance >= RELATED_MIN
                    and not e.judgement.failure), key=lambda e: -e.relevance)
    chosen: list[Evidence] = []
    for e in close:
        if e.source not in {c.source for c in chosen}:
            chosen.append(e)
    return chosen[:MAX_RELATED]


def _citations(picked: Sequence[Evidence]) -> list[Citation]:
    return [
        Citation(n=i + 1, source=e.source, chunk_id=e.sentence.chunk_id, quote=e.sentence.text,
                 start=e.sentence.start, end=e.sentence.end, stance=e.judgement.stance,
                 reason=e.judgement.reason, title=e.title, lang=e.sentence.lang)
        for i, e in enumerate(picked)
    ]


def _quote(query: Query, c: Citation, prefix: str = "") -> AnswerSentence:
    lang_note = f" ({LANG_NAME[query.lang][c.lang]})" if c.lang != query.lang else ""
    # an article with no headline is named by its file, not by the word "untitled"
    name = f"{UNTITLED_NAME[query.lang]} {c.source}" if c.title == UNTITLED else c.title
    return AnswerSentence(f"{prefix}{name}{lang_note}: “{c.quote}” [{c.n}]", (c.n,), 1.0,
                          True, "quote")


def compose(query: Query, verdict: Verdict, evidence: Sequence[Evidence] = ()
            ) -> tuple[list[AnswerSentence], list[Citation]]:
    """The answer's sentences and citations. `evidence`: everything the judge saw, for
    the closest passages a `not_enough_info` answer quotes."""
    if verdict.label == "not_enough_info":
        citations = _citations(related(evidence))
        if not citations:
            return [], []
        # a frame that names what the quotes are; verification keeps a sentence only
        # with its citations, so it cites them
        ns = tuple(c.n for c in citations)
        first = AnswerSentence(f"{refusal(query)} {RELATED_LEAD[query.lang]} "
                               + "".join(f"[{n}]" for n in ns), ns, 1.0, True, "lead")
        return [first, *(_quote(query, c) for c in citations)], citations
    picked = _pick(verdict)
    citations = _citations(picked)
    lead_cites = tuple(c.n for c in citations)
    # the lead states the verdict; its support is how strongly the quotes it cites were
    # judged to bear on the claim (each at least verdict.CREDIBLE), not the overall
    # confidence, which also prices in how many sources agree
    support = sum(e.judgement.score for e in picked) / len(picked)
    first = AnswerSentence(f"{lead(query, verdict)} " + "".join(f"[{n}]" for n in lead_cites),
                           lead_cites, min(1.0, support), True, "lead")
    sentences = [first]
    group = None
    for c in citations:
        prefix = ""
        # an open question's sides are two answers, neither "supporting" the other
        if verdict.label == "conflicting" and query.form != "open" and c.stance != group:
            group = c.stance
            prefix = GROUP[c.stance][query.lang] + ": "
        sentences.append(_quote(query, c, prefix))
    return sentences, citations


def refusal(query: Query) -> str:
    return LEADS[("any", "not_enough_info")][query.lang]
