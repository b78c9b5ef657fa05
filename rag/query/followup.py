"""Rules that make a follow-up standalone from the previous question (already standalone),
in English and Swedish, without a model:

- "what about X?", "and X?", "och X?", "vad sägs om X?": the previous question with X in
  the role X takes. X replaces the part of the same kind (a year a year, a country a
  country, an "Article 5" an article, a person a person); of several, the one in subject
  position (no preposition before it), so after "Has the US said it plans to send a
  training force to Ukraine?" France is the sender, not the destination. X that brings
  its own preposition ("and in Poland?") replaces the phrase with that preposition.
- a bare question word or phrase ("When?", "In which year?", "För vilka uppgifter?"):
  it is put in front of the previous yes/no question ("When did …?").
- "said so", "reported that", "avslöjade det": the previous question's statement as a
  that-clause (its auxiliary or Swedish verb moved after the subject).
- pronouns: he/she/han/hon -> the previous question's person; they/them/de/dem -> its
  first plural noun phrase ("some countries", "Nato-soldater"), else an organisation's
  name; it/den/det/detta -> its named thing ("Article 5", "NATO", a place); there/där ->
  its place phrase ("inside Ukraine"). Existential "are there"/"finns det", possessives
  ("their own risk") and "do so"/"gör det" are left as they are.
- a count question ("how many …?", "hur många …?") with no place of its own keeps the
  previous question's place.

What is not found is left as the user wrote it: nothing is ever appended as a list of
names. What it does not do: parse. Phrases are found (`rag.query.phrases`) by capitalisation,
closed-class words and endings, so an unusual question can be rewritten wrongly; the LLM
condenser (`rag.query.condense`) is the better path when one is configured.
"""

from __future__ import annotations

import re

from rag.nlp.entities import country_names
from rag.nlp.lexicon import MODALS, QUANTITY_QUESTIONS, WH_WORDS, all_of
from rag.nlp.text import stopwords
from rag.query.phrases import (
    AUX_EN,
    LOCATIVE,
    MONTHS,
    ROLE_PREPS,
    SAY_VERBS,
    YEAR,
    Phrase,
    declarative,
    genitive,
    in_language,
    is_name,
    is_plural,
    join,
    kind_of,
    lang_of,
    person,
    phrases,
    place_phrase,
    plural_phrase,
    thing,
    tokens,
)

_WHAT_ABOUT = re.compile(
    r"^(?:and|but|so|och|men|så)?\s*(?:,\s*)?(?:what|how)\s+about\s+(?P<x>.+?)\s*[?.!]*$|"
    r"^(?:and|but|so|och|men|så)?\s*(?:,\s*)?(?:vad\s+sägs\s+om|hur\s+är\s+det\s+med|"
    r"hur\s+blir\s+det\s+med|än)\s+(?P<y>.+?)\s*[?.!]*$|"
    r"^(?:and|och)\s+(?P<z>[^\s?]+(?:\s+[^\s?]+)?)\s*\?*$", re.I)
CONNECTIVE = re.compile(r"^(?:and|but|so|also|och|men|så|också)\b[\s,]*", re.I)
MODALS_ALL = all_of(MODALS) | {"kan", "kunde", "skulle", "bör", "should", "can", "could"}
PROPOSITION_PRONOUNS = {"so", "that", "this", "it", "det", "detta", "så"}
BE_FINITE = {"is", "are", "was", "were", "isn't", "aren't", "wasn't", "weren't"}
EXISTENTIAL_SV = {"finns", "fanns", "funnits", "är", "var"}
PRO_VERB = {"do", "does", "did", "doing", "done", "gör", "gjorde", "göra", "gjort"}


def substitute(previous: str, new: str) -> str:
    """The previous question with `new` in the role it takes (see the module docstring)."""
    lang = lang_of(previous)
    toks, found = phrases(previous.rstrip(" ?"), lang)
    ntoks = tokens(new)
    prep = ntoks[0].lower() if len(ntoks) > 1 and ntoks[0].lower() in ROLE_PREPS else ""
    body = ntoks[1:] if prep else ntoks
    kind = kind_of(body, 0, len(body)) if body else "name"
    pool = [p for p in found if join(toks[p.start:p.end]).lower() != join(body).lower()]
    target: Phrase | None = None
    if prep:
        same = [p for p in pool if p.prep and LOCATIVE.get(p.prep, p.prep)
                == LOCATIVE.get(prep, prep)]
        target = same[-1] if same else None
        if target is None:  # "and in Poland?" after "… to Ukraine?": the place phrase
            target = next((p for p in reversed(pool) if p.prep and p.kind == "place"), None)
    if target is None:
        kin = [p for p in pool if p.kind == kind or {p.kind, kind} <= {"place", "name"}
               and kind == "place" and p.kind == "place"]
        kin = kin or [p for p in pool if {p.kind, kind} <= {"name", "org"}]
        target = next((p for p in kin if not p.prep), kin[0] if kin else None)
    if target is None:
        return f"{previous.rstrip(' ?')}?" if not body else join(ntoks) + "?"
    old = toks[target.start:target.end]
    rep = [*body]
    if genitive(old[-1]) and rep:
        rep[-1] += genitive(old[-1])
    elif lang == "sv" and kind in ("place", "name") and old[-1].endswith("s") and \
            kind_of(old, 0, len(old)) == "place" and old[-1][:-1].lower() in country_names():
        rep[-1] += "s"  # Swedish genitive: "Estlands parlament" -> "Litauens parlament"
    start = target.start
    if start > 0 and toks[start - 1].lower() == "the" and rep[:1] and rep[0][:1].isupper():
        start -= 1  # "the US" -> "France"; "the UK" brings its own article
    return join([*toks[:start], *rep, *toks[target.end:]]) + "?"


def _bare_wh(toks: list[str], lang: str) -> bool:
    """"When?", "In which year?", "För vilka uppgifter?": a question word (after at most a
    preposition) and at most two more words, none of them a verb, pronoun or function word."""
    words = [t.lower() for t in toks if re.match(r"\w", t)]
    if not words or len(words) > 4:
        return False
    i = 1 if words[0] in ROLE_PREPS | {"since", "sedan"} and len(words) > 1 else 0
    if words[i] not in all_of(WH_WORDS):
        return False
    rest = words[i + 1:]
    closed = AUX_EN | SAY_VERBS | PROPOSITION_PRONOUNS | PRONOUNS_ALL | stopwords(lang)
    return len(rest) <= 2 and not any(w in closed for w in rest)


PRONOUNS_ALL = {"he", "she", "him", "they", "them", "it", "there", "han", "hon", "honom",
                "henne", "de", "dem", "den", "det", "detta", "där"}


def asks_who_said(text: str) -> bool:
    """"Who said so?", "Vem sa det?": a message that ends in a reporting verb and a word
    for what was said."""
    toks = [t.lower() for t in tokens(text) if re.match(r"\w", t)]
    return len(toks) >= 2 and toks[-1] in PROPOSITION_PRONOUNS and toks[-2] in SAY_VERBS


def what_about(text: str) -> str | None:
    """X of "what about X?", "and X?", "vad sägs om X?", "och X?", else None."""
    m = _WHAT_ABOUT.match(text.strip())
    if not m:
        return None
    return (m.group("x") or m.group("y") or m.group("z")).strip(" ?.!")


def resolve(text: str, previous: str) -> str:
    """`text` made standalone from `previous` (a standalone question), or `text` as it is
    when nothing in it refers back (see the module docstring)."""
    body = CONNECTIVE.sub("", " ".join(text.split())).strip(" ,")
    if not body:
        return text
    new = what_about(text)
    if new is not None:
        return substitute(previous, new)
    lang = lang_of(body) if len(body.split()) > 2 else lang_of(previous)
    prev_lang = lang_of(previous)
    ptoks, found = phrases(previous.rstrip(" ?"), prev_lang)
    toks = tokens(body.rstrip(" ?.!"))
    mark = "?" if body.endswith("?") else ("." if body.endswith(".") else "")
    if _bare_wh(toks, lang):
        prev = previous.rstrip(" ?")
        # the verb that opens the yes/no question goes after the question word, in lower
        # case: an English auxiliary, or the first word of a Swedish question (V1 order)
        if ptoks and (ptoks[0].lower() in AUX_EN if prev_lang == "en"
                      else not is_name(ptoks[0], 0, "sv")):
            prev = ptoks[0].lower() + prev[len(ptoks[0]):]
        return f"{join(toks)} {prev}?"
    out: list[str] = []
    resolved = False
    for i, t in enumerate(toks):
        low = t.lower()
        prev_tok = toks[i - 1].lower() if i else ""
        next_tok = toks[i + 1].lower() if i + 1 < len(toks) else ""
        rep: list[str] | None = None
        if low in PROPOSITION_PRONOUNS and i + 1 == len(toks) and prev_tok in SAY_VERBS:
            that = "att" if prev_lang == "sv" else "that"
            rep = [that, *_statement(ptoks, previous, prev_lang)]
        elif low in ("he", "she", "him", "han", "hon", "honom", "henne"):
            rep = person(ptoks, found)
        elif low in ("they", "them", "de", "dem"):
            if low == "de" and next_tok and next_tok[:1].islower() and not any(
                    next_tok in s for s in (stopwords("sv") | SAY_VERBS, )) and \
                    is_plural(next_tok, "sv"):
                rep = None  # "de baltiska staterna": an article, not a pronoun
            else:
                rep = plural_phrase(ptoks, prev_lang) or next(
                    (ptoks[p.start:p.end] for p in found if p.kind == "org"
                     or p.kind == "name" and p.prep), None)
                if rep and prev_tok == "of" and out:
                    out.pop()  # "how many of them" -> "how many NATO soldiers"
        elif low == "there" and not (prev_tok in BE_FINITE or next_tok in BE_FINITE
                                     or next_tok in {"will", "has", "have", "had"}) or low == "där":
            rep = in_language(place_phrase(ptoks, found), prev_lang, lang)
        elif low in ("it", "den", "det", "detta") and not (
                prev_tok in EXISTENTIAL_SV or next_tok in EXISTENTIAL_SV
                or prev_tok in PRO_VERB and next_tok in stopwords(lang) | {""}):
            rep = thing(ptoks, found, subject=i == 0 or prev_tok in AUX_EN | MODALS_ALL
                         | all_of(WH_WORDS))
        if rep:
            resolved = True
            out.extend(rep)
        else:
            out.append(t)
    if resolved and any(" ".join(w.lower() for w in toks[:2]) == q
                        for q in QUANTITY_QUESTIONS):
        place = in_language(place_phrase(ptoks, found), prev_lang, lang)
        _, own = phrases(join(out), lang)
        if place and not any(p.kind == "place" for p in own):
            cut = next((k for k in range(len(out) - 1) if out[k].lower() in ("in", "i")
                        and (YEAR.match(out[k + 1]) or out[k + 1][:1].isalpha()
                             and out[k + 1].lower() in MONTHS)), len(out))
            out[cut:cut] = place
    text = join(out) + mark if resolved else body
    return text[:1].upper() + text[1:]


def _statement(ptoks: list[str], previous: str, lang: str) -> list[str]:
    """What "said so" refers to: the previous question's reported clause when it asks
    whether someone said it ("Did Kallas say that P?" -> P), else its statement."""
    for k, t in enumerate(ptoks):  # the verb may stand before its subject: "Sa X att P"
        if t.lower() in ("that", "att") and any(w.lower() in SAY_VERBS
                                                for w in ptoks[max(0, k - 4):k]):
            return ptoks[k + 1:]
    return tokens(declarative(previous, lang))
