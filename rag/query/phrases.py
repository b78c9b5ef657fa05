"""The parts of a question the follow-up rules (`rag.query.followup`) work with, found
without a parser: tokens; named parts (names, countries, years, "Article 5") with their
kind and the preposition before them; the first plural noun phrase; the place phrase; the
person and the named thing a pronoun can mean; a yes/no question turned into the
statement it asks. English and Swedish, by capitalisation, closed-class words and
endings.

What it does not do: decide what a follow-up refers to (`rag.query.followup`), or tag
parts of speech — an unusual question can be split wrongly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.nlp.entities import country_names
from rag.nlp.lexicon import (
    ATTRIBUTION,
    CATENATIVES,
    REPORTING,
    WH_WORDS,
    YESNO_STARTERS,
    all_of,
)
from rag.nlp.text import stopwords

TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
YEAR = re.compile(r"^(?:1[0-9]|20)\d\d$")
ARTICLE_N = re.compile(r"\b(?:article|artikel|paragraph|paragraf|section|chapter|kapitel)"
                       r"\s+\d+\b", re.I)
# prepositions that head a place phrase, and the locative each becomes when the place is
# moved into a question about being there ("to Ukraine" -> "in Ukraine")
LOCATIVE = {"in": "in", "inside": "inside", "within": "within", "into": "in", "to": "in",
            "i": "i", "inom": "inom", "till": "i"}
ROLE_PREPS = frozenset(LOCATIVE) | {"from", "at", "on", "for", "with", "against", "outside",
                                    "från", "på", "för", "med", "mot", "utanför", "vid"}
AUX_EN = YESNO_STARTERS["en"]
# Swedish verbs that open a yes/no question are not listed anywhere: the first word of a
# Swedish question that is no name and no question word is its verb (V1 order)
DETERMINERS = {"the", "a", "an", "some", "many", "these", "those", "all", "several",
               "vissa", "några", "många", "alla", "flera", "dessa", "en", "ett"}
COGNITION = {"think", "thinks", "thought", "believe", "believes", "know", "knows", "knew",
             "fear", "fears", "want", "wants", "tycker", "tror", "anser", "vet", "fruktar",
             "reveal", "revealed", "reveals", "confirm", "confirmed", "confirms", "deny",
             "denied", "denies", "avslöjade", "avslöjar", "bekräftade", "bekräftar",
             "förnekade", "förnekar"}
SAY_VERBS = REPORTING | ATTRIBUTION | COGNITION
DEMONYM = re.compile(r"(?:ian|ish|ese|ean|iska|ska|sk)$")
_SV_PLURAL = re.compile(r"(?:[^e]er|ar|or|na|män|ter)$")


@dataclass(frozen=True)
class Phrase:
    start: int  # token offsets into the previous question
    end: int
    kind: str  # year | number | article | place | org | name | plural
    prep: str  # the role preposition just before it, "" in subject/object position


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def join(toks: list[str]) -> str:
    out = ""
    for t in toks:
        out += t if not out or re.fullmatch(r"[^\w\s(\[\"“]", t) else " " + t
    return out


def is_name(tok: str, i: int, lang: str) -> bool:
    """Capitalised or all caps ("US", not the pronoun "us") and no function word; the first
    word of an English question only when it is no auxiliary, and never in Swedish (it is
    the verb: V1 order)."""
    low = tok.lower()
    if tok.isupper() and len(tok) > 1 and tok.isalpha():
        return True
    if not tok[:1].isupper() or low in stopwords("en") | stopwords("sv") \
            or low in all_of(WH_WORDS):
        return False
    if i == 0:
        return lang == "en" and low not in AUX_EN
    return True


def kind_of(toks: list[str], a: int, b: int) -> str:
    text = " ".join(toks[a:b])
    low = text.lower()
    if b - a == 1 and YEAR.match(toks[a]):
        return "year"
    if b - a == 1 and toks[a].isdigit():
        return "number"
    if ARTICLE_N.fullmatch(text):
        return "article"
    bare = re.sub(r"(?:'s|’s)$", "", low)
    if bare in country_names() or (bare.endswith("s") and bare[:-1] in country_names()):
        return "place"
    if toks[a].isupper() and len(toks[a]) > 1:
        return "place" if bare in {"us", "usa", "uk"} else "org"
    return "name"


def phrases(text: str, lang: str) -> tuple[list[str], list[Phrase]]:
    """The previous question's tokens and its named parts, with kind and preposition."""
    toks = tokens(text)
    out: list[Phrase] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        j = i
        m = ARTICLE_N.match(" ".join(toks[i:i + 2]))
        if m and m.end() == len(" ".join(toks[i:i + 2])):
            j = i + 2
        elif YEAR.match(t) or t.isdigit():
            j = i + 1
        elif is_name(t, i, lang) and not (DEMONYM.search(t.lower()) and i + 1 < len(toks)
                                           and toks[i + 1][:1].islower()):
            j = i + 1
            while j < len(toks) and (is_name(toks[j], j, lang) or (
                    toks[j] in ("of", "av") and j + 1 < len(toks)
                    and is_name(toks[j + 1], j + 1, lang))):
                j += 1
            # a name directly before a common noun modifies it ("NATO trainers"): the
            # phrase is the noun's, not a name that a pronoun could mean
            if j < len(toks) and is_plural(toks[j], lang) \
                    and not re.search(r"(?:'s|’s)$", toks[j - 1]) and kind_of(toks, i, j) \
                    in ("org", "name"):
                i = j
                continue
        if j > i:
            prep = toks[i - 1].lower() if i > 0 and toks[i - 1].lower() in ROLE_PREPS else ""
            if i > 1 and toks[i - 1].lower() == "the" and toks[i - 2].lower() in ROLE_PREPS:
                prep = toks[i - 2].lower()
            out.append(Phrase(i, j, kind_of(toks, i, j), prep))
            i = j
        else:
            i += 1
    return toks, out


def lang_of(text: str) -> str:
    from rag.nlp.text import detect_lang

    return detect_lang(text)


def genitive(tok: str) -> str:
    m = re.search(r"(?:'s|’s)$", tok)
    return m.group(0) if m else ""


def declarative(question: str, lang: str) -> str:
    """The statement a yes/no question asks, as it follows "that"/"att": the auxiliary
    (English) or finite verb (Swedish) moved after the subject."""
    toks = tokens(question.rstrip(" ?"))
    if not toks:
        return question
    verb = toks[0].lower()
    if lang == "en" and verb not in AUX_EN:
        return join(toks)
    i = 1
    if i < len(toks) and toks[i].lower() in DETERMINERS:
        i += 1
    while i < len(toks) and i < 6:
        t = toks[i]
        if is_name(t, i, lang) and not re.search(r"(?:'s|’s)$", t) and not (
                lang == "sv" and t.endswith("s") and i + 1 < len(toks)
                and toks[i + 1][:1].islower() and toks[i + 1].lower() not in stopwords("sv")):
            i += 1
            if i < len(toks) and toks[i] in ("of", "av") and i + 1 < len(toks) \
                    and is_name(toks[i + 1], i + 1, lang):
                i += 2
            # a demonym names a noun after it: "British soldiers"
            if i < len(toks) and DEMONYM.search(t.lower()) and toks[i][:1].islower():
                i += 1
            break
        if is_name(t, i, lang) or (t[:1].islower() and DEMONYM.search(t.lower())) or \
                (lang == "sv" and t[:1].islower() and t.endswith("a")):
            i += 1  # a genitive or an adjective: the noun follows
            continue
        i += 1  # the head noun
        break
    return join([*toks[1:i], verb, *toks[i:]])


def is_plural(tok: str, lang: str) -> bool:
    """Looks like a plural common noun: "soldiers", "länder", "Nato-soldater" (the last
    part of a compound decides)."""
    low = tok.lower()
    last = tok.rsplit("-", 1)[-1]
    if not last[:1].islower() or low in stopwords(lang) or low in SAY_VERBS | CATENATIVES:
        return False
    low = last.lower()
    if lang == "sv":
        return bool(_SV_PLURAL.search(low)) and len(low) > 4
    return low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 3


def plural_phrase(toks: list[str], lang: str, skip: int = 1) -> list[str] | None:
    """The first plural noun phrase: determiners, names, adjectives and nouns up to a
    plural noun ("some countries", "NATO special operations forces", "hundreds of
    thousands of troops"). The first `skip` tokens (the question's verb) are not read."""
    stop = stopwords(lang) | SAY_VERBS | CATENATIVES | AUX_EN
    # the word after an infinitive marker, a modal or a catenative verb is a verb
    verb_next = CATENATIVES | AUX_EN | {"to", "att", "ska", "skulle", "kan", "kunde",
                                         "måste", "vill", "bör"}
    i = skip
    while i < len(toks):
        if i > 0 and toks[i - 1].lower() in verb_next and toks[i][:1].islower() \
                and toks[i].lower() not in DETERMINERS:
            i += 1
            continue
        j = i
        if toks[j].lower() in DETERMINERS:
            j += 1
        k, last = j, None
        while k < len(toks) and re.match(r"\w", toks[k]) and (
                toks[k].lower() not in stop or toks[k].lower() == "of") \
                and not adverb_or_verb_form(toks[k].lower()):
            if toks[k].lower() == "of" and not (last is not None and last == k - 1):
                break
            if is_plural(toks[k], lang):
                last = k
                if lang == "sv":  # compounds are one word: the first plural is the head
                    break
            k += 1
        if last is not None:
            return toks[i:last + 1]
        i = max(k, i + 1)
    return None


def adverb_or_verb_form(low: str) -> bool:
    return low.endswith(("ing", "ed")) or (low.endswith("ly") and not low.endswith("ply"))


def place_phrase(toks: list[str], found: list[Phrase]) -> list[str] | None:
    places = [p for p in found if p.kind == "place" and p.prep in LOCATIVE]
    if not places:  # a place with no preposition ("Estonia's parliament"): "in Estonia"
        bare = next((p for p in found if p.kind == "place" and not p.prep), None)
        if bare is None:
            return None
        name = [*toks[bare.start:bare.end - 1], no_genitive(toks[bare.end - 1])]
        return ["i" if lang_of(" ".join(toks)) == "sv" else "in", *name]
    p = next((q for q in places if LOCATIVE[q.prep] == q.prep), places[0])
    head = p.start - 1
    if head > 0 and toks[head - 1].lower() == "inne":  # "inne i Ukraina"
        head -= 1
    if toks[head].lower() == "the":
        head -= 1
    lead = toks[head:p.start]
    if LOCATIVE[p.prep] != p.prep:
        lead = [LOCATIVE[p.prep]]
    return [*lead, *toks[p.start:p.end]]


def no_genitive(tok: str) -> str:
    bare = re.sub(r"(?:'s|’s)$", "", tok)
    if bare == tok and tok.endswith("s") and tok[:-1].lower() in country_names():
        return tok[:-1]  # Swedish genitive: "Estlands" -> "Estland"
    return bare


def person(toks: list[str], found: list[Phrase]) -> list[str] | None:
    p = next((q for q in found if q.kind == "name"), None)
    return toks[p.start:p.end] if p else None


def thing(toks: list[str], found: list[Phrase], subject: bool) -> list[str] | None:
    """What "it" names: an article, an organisation, a name that no reporting verb
    follows (that one is a person), then a noun phrase with an article ("the mission"),
    and a place only as a subject ("Where should it train them?"; "approve it" is no
    place)."""
    def person_like(p: Phrase) -> bool:
        nxt = toks[p.end].lower() if p.end < len(toks) else ""
        return p.kind == "name" and (nxt in SAY_VERBS or p.start == 1)

    for kinds in (("article",), ("org", "name")):
        for p in found:
            if p.kind in kinds and not person_like(p):
                return [*toks[p.start:p.end - 1], no_genitive(toks[p.end - 1])]
    for i in range(len(toks) - 1, 0, -1):  # the last "the/a/an + noun(s)"
        if toks[i].lower() in ("the", "a", "an"):
            j = i + 1
            while j < len(toks) and j < i + 3 and toks[j][:1].islower() and re.match(
                    r"\w", toks[j]) and toks[j].lower() not in stopwords("en") | ROLE_PREPS:
                j += 1
            if j > i + 1:
                return toks[i:j]
    place = next((q for q in found if q.kind == "place"), None) if subject else None
    return [*toks[place.start:place.end - 1], no_genitive(toks[place.end - 1])] \
        if place else None


# a place phrase's preposition in the other language, for a follow-up in English after a
# Swedish question or the other way round ("i Ukraina" -> "in Ukraina")
_PREP_EN_SV = {"in": ["i"], "inside": ["inne", "i"], "within": ["inom"], "to": ["till"]}
_PREP_SV_EN = {"i": ["in"], "inne": ["inside"], "inom": ["within"], "till": ["to"]}


def in_language(phrase: list[str] | None, src: str, dst: str) -> list[str] | None:
    if not phrase or src == dst:
        return phrase
    table = _PREP_EN_SV if src == "en" else _PREP_SV_EN
    lead = table.get(phrase[0].lower())
    if lead is None:
        return phrase
    rest = phrase[2:] if phrase[0].lower() == "inne" and phrase[1:2] == ["i"] else phrase[1:]
    return [*lead, *rest]


MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december", "januari", "februari", "mars",
           "maj", "juni", "juli", "augusti", "oktober"}
