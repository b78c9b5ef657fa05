"""The extractive composer: a lead sentence in the query's language that states the
verdict, then the strongest evidence quoted verbatim with [n] citations, grouped by stance
when the sources disagree. Quotes from an article in another language stay in the original,
labelled with that language. `not_enough_info` gives a plain refusal and no citations.
"""

from __future__ import annotations

from rag.types import AnswerSentence, Citation, Evidence, Query, Verdict

MAX_QUOTES = 4

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
    ("any", "conflicting"): {"en": "The sources disagree on this.",
                             "sv": "Källorna går isär i den här frågan."},
    ("any", "not_enough_info"): {
        "en": "The indexed articles do not say enough to answer this.",
        "sv": "De indexerade artiklarna säger inte tillräckligt för att besvara detta."},
}
GROUP = {"supports": {"en": "Supporting", "sv": "För"},
         "refutes": {"en": "Contradicting", "sv": "Emot"}}
LANG_NAME = {"en": {"en": "in English", "sv": "in Swedish"},
             "sv": {"en": "på engelska", "sv": "på svenska"}}


# leads that introduce the quotes and state no verdict (an open question's answer)
FRAME_LEADS = {("open", "supported")}


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


def compose(query: Query, verdict: Verdict) -> tuple[list[AnswerSentence], list[Citation]]:
    if verdict.label == "not_enough_info":
        return [], []
    picked = _pick(verdict)
    citations = [
        Citation(n=i + 1, source=e.source, chunk_id=e.sentence.chunk_id, quote=e.sentence.text,
                 start=e.sentence.start, end=e.sentence.end, stance=e.judgement.stance,
                 reason=e.judgement.reason, title=e.title, lang=e.sentence.lang)
        for i, e in enumerate(picked)
    ]
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
        if verdict.label == "conflicting" and c.stance != group:
            group = c.stance
            prefix = GROUP[c.stance][query.lang] + ": "
        lang_note = f" ({LANG_NAME[query.lang][c.lang]})" if c.lang != query.lang else ""
        text = f"{prefix}{c.title}{lang_note}: “{c.quote}” [{c.n}]"
        sentences.append(AnswerSentence(text, (c.n,), 1.0, True, "quote"))
    return sentences, citations


def refusal(query: Query) -> str:
    return LEADS[("any", "not_enough_info")][query.lang]
