"""Query analysis: language, kind (question or claim), form (yes/no, open, claim), the
proposition to check, and its key terms, numbers and named entities.

A yes/no question asks whether a proposition holds: "Would an attack trigger Article 5?"
checks "an attack would trigger Article 5". A claim is its own proposition. An open
question ("What does Article 5 say?") has no truth value; the sources answer it or not.

The judge reads the Query's terms, numbers and names instead of deriving them again, so a
Query checked as another proposition is made with `as_claim`, which recomputes them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.nlp.align import content_terms
from rag.nlp.entities import entities
from rag.nlp.lexicon import DO_SUPPORT, SV_IRREGULAR_FINITE, WH_WORDS, YESNO_STARTERS, all_of
from rag.nlp.text import detect_lang, sentence_spans, stopwords, words
from rag.types import Query

_TRUE_THAT = re.compile(
    r"^(?:is it (?:true|correct|right|the case) that|did .{0,40}? say that|"
    r"stämmer det (?:att|verkligen att)|är det sant att|är det (?:så|korrekt) att)\s+",
    re.I)
_LEAD_FILLER = re.compile(r"^(?:and|but|so|also|och|men|så|också)\s+", re.I)


# Swedish finite verbs: present -r, past -de/-te/-dde/-tte, passive/deponent -s
_SV_FINITE = re.compile(r"(?:r|de|te|dde|tte|s)$")


def _lower_v1_verb(prop: str) -> str:
    """A Swedish yes/no question puts its finite verb first ("Behöver Estland …?",
    "Anser Kallas …?"); capitalised only by position, it is no name. A first word is read
    as that verb when it is a function word or has a finite verb ending, and, for -s
    (passive "Krävs det …" but also names like "Kallas sade …?"), only when a function word
    follows it as its subject."""
    toks = prop.split(" ", 2)
    first = toks[0]
    low = first.lower()
    if not first[:1].isupper() or first.isupper() or not _SV_FINITE.search(low) \
            and low not in stopwords("sv") and low not in SV_IRREGULAR_FINITE:
        return prop
    if low.endswith("s") and low not in stopwords("sv") and not (
            len(toks) > 1 and toks[1].lower() in stopwords("sv")):
        return prop
    return " ".join([low, *toks[1:]])


def _the_question(raw: str, lang: str) -> str:
    """What is asked when the input is several sentences ending in a question. Text pasted
    before a question that stands on its own (three content words) is context, or an
    instruction to the bot, and is not analysed: "Context … . Did X say Y?" asks "Did X say
    Y?". A closing yes/no question without content ("Is that true?", "Stämmer det?") asks
    about the text before it: "X. Is that true?" asks "X?"."""
    if not raw.endswith("?"):
        return raw
    spans = sentence_spans(raw, 0, len(raw), lang)
    if len(spans) < 2:
        return raw
    last = raw[spans[-1][0]:spans[-1][1]].strip()
    if len(content_terms(last)) >= 3:
        return last
    before = raw[:spans[-1][0]].strip().rstrip(".!").strip()
    opener = words(last)[:1]
    if before and opener and opener[0] not in all_of(WH_WORDS):
        return before + "?"
    return raw


def analyse(text: str) -> Query:
    raw = " ".join(text.split())
    lang = detect_lang(raw)
    asked = _the_question(raw, lang)
    if asked != raw:
        lang = detect_lang(asked)  # answered in the language the question is asked in
    body = _LEAD_FILLER.sub("", asked)
    toks = words(body)
    first = toks[0] if toks else ""
    is_question = raw.endswith("?") or first in all_of(WH_WORDS) or (
        first in YESNO_STARTERS["en"] and lang == "en")
    if not is_question:
        form, kind = "claim", "claim"
        proposition = raw
    elif first in all_of(WH_WORDS) or any(t in WH_WORDS[lang] for t in toks[:2]):
        form, kind = "open", "question"
        proposition = body.rstrip("?").strip()
    else:
        form, kind = "yesno", "question"
        prop = body.rstrip("?").strip()
        prop = _TRUE_THAT.sub("", prop)
        head = prop.split(" ", 1)
        if head and head[0].lower().replace("n't", "") in DO_SUPPORT and len(head) > 1:
            prop = head[1]  # "Does X trigger Y" -> "X trigger Y"
        elif head and head[0].lower().endswith("n't") and len(head) > 1:
            # "Isn't X Y" asks the positive "X is Y": keep the verb, drop the negation
            prop = head[0][:-3] + " " + head[1]
        if lang == "sv":
            prop = _lower_v1_verb(prop)
        proposition = prop
    return _about(Query(text=raw, lang=lang, kind=kind, form=form,  # type: ignore[arg-type]
                        proposition=proposition))


def _about(query: Query) -> Query:
    """`query` with what the judge reads of its proposition: content terms, digit tokens,
    names."""
    prop = query.proposition
    return replace(query, terms=tuple(content_terms(prop)),
                   numbers=tuple(w for w in words(prop) if w.isdigit()),
                   entities=entities(prop))


def as_claim(query: Query, proposition: str) -> Query:
    """`query` checked as the claim `proposition` (claim mode, a generated sentence, an
    eval pair), with that proposition's terms, numbers and names."""
    return _about(replace(query, kind="claim", form="claim", proposition=proposition))
