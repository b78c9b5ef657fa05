"""Generic, model-free augmentations in English and Swedish (no sentence of any test set).

Each makes new pairs from the training sentences by a rule whose label follows from logic,
not from the data: a sentence contradicts its negation; changing a number contradicts; the
consequent of a conditional is not entailed by the conditional; another name in the same place
is not entailed. Recipe 2 (`--aug-recipe 2`; measured and not kept, docs/NLI_MODEL.md) adds
the connectives the first model read as overlap: a two-sentence premise entails each
sentence, but one sentence does not entail "S and C" (added information is neutral, however
much the words overlap); S entails "S or C" and "S or C" does not entail S; "it is not true
that S" contradicts S and "it is not true that not-S" entails it (double negation); a
predicative adjective and its un-/o- antonym contradict. The rules are deliberately
conservative: a sentence they cannot transform safely (no finite auxiliary,
several numbers, …) is left alone.
"""

from __future__ import annotations

import random
import re

from train.nli.data import LABEL_IDS, Pair

ENT, NEU, CON = (LABEL_IDS[k] for k in ("entailment", "neutral", "contradiction"))

# finite auxiliaries/copulas after which the negation goes (en: "is not"; sv V2: "är inte")
_AUX = {
    "en": r"is|are|was|were|will|can|could|would|should|has|have|had|must|may|might|does|did|do",
    "sv": r"är|var|har|hade|kan|kunde|ska|skall|skulle|kommer|vill|ville|måste|får|fick|blir|blev",
}
_NEG = {"en": "not", "sv": "inte"}
_HAS_NEG = {
    "en": re.compile(r"\b(not|n't|never|no)\b", re.I),
    "sv": re.compile(r"\b(inte|icke|aldrig|ej|ingen|inget|inga)\b", re.I),
}
_NUM = re.compile(r"(?<![\d.,])\d{1,6}(?![\d.,]\d)")
_IF = {"en": "if", "sv": "om"}
_ONLY_LOWER = {"the", "a", "an", "this", "that", "there", "it", "he", "she", "they", "we", "some",
               "en", "ett", "den", "det", "de", "han", "hon", "vi", "man", "några", "många"}
_NAME = re.compile(r"(?<=\s)([A-ZÅÄÖ][a-zåäöéü]{2,})\b")


def negate(s: str, lang: str) -> str | None:
    """Insert the negation after the first finite auxiliary, or remove an existing one."""
    if _HAS_NEG[lang].search(s):
        removed = re.sub(rf"\s+{_NEG[lang]}\b", "", s, count=1)
        return removed if removed != s else None
    m = re.search(rf"\b({_AUX[lang]})\b", s, re.I)
    if not m:
        return None
    return f"{s[: m.end()]} {_NEG[lang]}{s[m.end():]}"


def change_number(s: str, rnd: random.Random) -> str | None:
    """Change one of a sentence's (at most three) numbers: off by a little, by a digit added or
    dropped (the commonest misquotes: 97 vs 970, 250 vs 25), or by a hundred."""
    found = list(_NUM.finditer(s))
    if not 1 <= len(found) <= 3:
        return None
    m = rnd.choice(found)
    n = int(m.group())
    options = [n + rnd.randint(1, 9), max(0, n - rnd.randint(1, 9)), n * 10, n + 100]
    if n >= 10:
        options.append(n // 10)
    new = rnd.choice(options)
    if new == n:
        return None
    return f"{s[: m.start()]}{new}{s[m.end():]}"


def as_condition(s: str, names: set[str] | None = None) -> str:
    """S as a clause inside another sentence: its first word lowercased unless it is a name.
    Without `names` (recipe 1) only a short list of function words is lowercased; with it,
    every first word the training text writes lowercase more often than capitalised."""
    s = s.strip().rstrip(".!?")
    first = s.split(" ", 1)[0]
    lower = first.lower() in _ONLY_LOWER if names is None else first not in names
    return s[0].lower() + s[1:] if lower and first.isalpha() else s


def conditional(consequent: str, antecedent: str, lang: str) -> str:
    """'S if C.' / 'S om C.' — states S only under a condition."""
    return f"{consequent.strip().rstrip('.!?')} {_IF[lang]} {as_condition(antecedent)}."


AND = {"en": "and", "sv": "och"}
OR = {"en": "or", "sv": "eller"}
_NOT_TRUE = {"en": "It is not true that", "sv": "Det är inte sant att"}
# the antonym prefix of a predicative adjective ("is unusual" / "är ovanlig"): only a word right
# after a copula (and a degree adverb) is taken, and the word without the prefix must itself
# occur in the training text, so "unless" or "under" in running text is never taken apart
_ANTONYM_PREFIX = {"en": "un", "sv": "o"}
_COPULA = {"en": r"is|are|was|were|be|been|seems|seemed|became|remains|remained",
           "sv": r"är|var|vara|blev|blir|verkar|verkade|förblir|förblev"}
_DEGREE = {"en": r"very|so|too|quite|rather|really", "sv": r"mycket|så|för|ganska|väldigt|helt"}


def _sentence(s: str) -> str:
    s = s.strip()
    return s if s[-1:] in ".!?" else s + "."


def connect(s: str, word: str, other: str, names: set[str]) -> str:
    """'S, and C.' (S and something more) or 'S, or C.' (only one of the two holds)."""
    return f"{s.strip().rstrip('.!?')}, {word} {as_condition(other, names)}."


def not_true(s: str, lang: str, names: set[str]) -> str:
    """'It is not true that S.' with S as a subordinate clause (sv: the negation before the
    finite verb, "att han inte är")."""
    body = as_condition(s, names)
    if lang == "sv":
        # Swedish subordinate clauses put a sentence adverb before the finite verb
        body = re.sub(rf"\b({_AUX['sv']}) inte\b", r"inte \1", body, count=1)
    return f"{_NOT_TRUE[lang]} {body}."


def antonym(s: str, lang: str, vocab: set[str]) -> str | None:
    """Swap a predicative adjective for its prefixed antonym or back (usual/unusual,
    vanlig/ovanlig), when both words occur in the training text."""
    pre = _ANTONYM_PREFIX[lang]
    for m in re.finditer(rf"\b(?:{_COPULA[lang]})\s+(?:(?:{_DEGREE[lang]})\s+)?(\w+)", s, re.I):
        word = m.group(1)
        low = word.lower()
        if low.startswith(pre) and len(low) - len(pre) >= 4 and low[len(pre):] in vocab:
            new = word[len(pre):]
        elif len(low) >= 4 and pre + low in vocab:
            new = pre + word
        else:
            continue
        return f"{s[: m.start(1)]}{new}{s[m.end(1):]}"
    return None


_SUBORDINATE = {"en": r"that|who|which|whom|whose|if|when|because|while|although|whether",
                "sv": r"att|som|om|när|eftersom|medan|fast|ifall|huruvida|vilket|vilka"}


def _main_clause_aux(s: str, lang: str) -> bool:
    """The negation would go into the main clause: no subordinator or comma before the first
    auxiliary (else "not (X said not-S)" would be taken to entail "X said S")."""
    m = re.search(rf"\b({_AUX[lang]})\b", s, re.I)
    if not m:
        return False
    return not re.search(rf"\b({_SUBORDINATE[lang]})\b|,", s[: m.start()], re.I)


def _names(text: list[str]) -> set[str]:
    """Words written capitalised mid-sentence more often than lowercase: the names, which a
    clause keeps capitalised when it moves inside another sentence."""
    caps: dict[str, int] = {}
    lower: dict[str, int] = {}
    for t in text:
        for w in re.findall(r"(?<=\s)\w+", t):
            if w[0].isupper():
                caps[w] = caps.get(w, 0) + 1
            else:
                lower[w] = lower.get(w, 0) + 1
    firsts = {t.split(" ", 1)[0] for t in text if t}
    unseen = {w for w in firsts if w[:1].isupper() and w not in caps and w.lower() not in lower}
    return {w for w, n in caps.items() if n > lower.get(w.lower(), 0)} | unseen


def augment(pairs: list[Pair], seed: int, per_rule: int, recipe: int = 1) -> list[Pair]:
    """Up to `per_rule` new pairs per rule and language, drawn with a seeded generator.
    `recipe` 1 is the first model's four rules; 2 adds the connectives and antonyms."""
    rnd = random.Random(seed)
    out: list[Pair] = []
    for lang in ("en", "sv"):
        sents = sorted({p.hypothesis for p in pairs
                        if p.lang == lang and 4 <= len(p.hypothesis.split()) <= 25})
        rnd.shuffle(sents)
        names = sorted({m for s in sents for m in _NAME.findall(s)})
        text = [t for p in pairs if p.lang == lang for t in (p.premise, p.hypothesis)] \
            if recipe >= 2 else []
        vocab = {w.lower() for t in text for w in re.findall(r"\w+", t)}
        mid_caps = _names(text)
        few = per_rule // 2  # the connectives: fewer each, so real pairs stay the majority
        neg = num = cond = swap = conj = disj = nott = ant = 0
        for i, s in enumerate(sents):
            other = sents[(i * 7 + 3) % len(sents)]
            if other != s and recipe >= 2:
                if conj < few:
                    two = [_sentence(s), _sentence(other)]
                    premise = " ".join(two if i % 2 else two[::-1])
                    out.append(Pair(premise, s, ENT, lang, "aug:and"))
                    more = connect(s, AND[lang], other, mid_caps)
                    out.append(Pair(s, more, NEU, lang, "aug:and"))
                    conj += 1
                if disj < few:
                    either = connect(s, OR[lang], other, mid_caps)
                    out.append(Pair(s, either, ENT, lang, "aug:or"))
                    out.append(Pair(either, s, NEU, lang, "aug:or"))
                    disj += 1
            if nott < few and recipe >= 2 and not _HAS_NEG[lang].search(s) \
                    and _main_clause_aux(s, lang) and (n := negate(s, lang)):
                out.append(Pair(s, not_true(s, lang, mid_caps), CON, lang, "aug:not-true"))
                out.append(Pair(s, not_true(n, lang, mid_caps), ENT, lang, "aug:not-true"))
                nott += 1
            if ant < few and recipe >= 2 and (a := antonym(s, lang, vocab)):
                out.append(Pair(s, a, CON, lang, "aug:antonym"))
                ant += 1
            if neg < per_rule and (n := negate(s, lang)):
                out.append(Pair(s, n, CON, lang, "aug:negation"))
                out.append(Pair(n, s, CON, lang, "aug:negation"))
                neg += 1
            if num < per_rule and (c := change_number(s, rnd)):
                out.append(Pair(s, c, CON, lang, "aug:number"))
                out.append(Pair(s, s, ENT, lang, "aug:identity"))
                num += 1
            if cond < per_rule and other != s:
                out.append(Pair(conditional(s, other, lang), s, NEU, lang, "aug:conditional"))
                cond += 1
            if swap < per_rule and names:
                found = [m for m in _NAME.findall(s)]
                if found:
                    old = found[0]
                    new = rnd.choice(names)
                    if new != old:
                        out.append(Pair(s, re.sub(rf"\b{old}\b", new, s), NEU, lang, "aug:name"))
                        swap += 1
    return out
