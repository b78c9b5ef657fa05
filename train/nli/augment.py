"""Generic, model-free augmentations in English and Swedish (no sentence of any test set).

Each makes new pairs from the training sentences by a rule whose label follows from logic,
not from the data: a sentence contradicts its negation; changing a number contradicts; the
consequent of a conditional is not entailed by the conditional; another name in the same place
is not entailed. The rules are deliberately conservative: a sentence they cannot transform
safely (no finite auxiliary, several numbers, …) is left alone.
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


def as_condition(s: str) -> str:
    s = s.strip().rstrip(".!?")
    first = s.split(" ", 1)[0]
    return s[0].lower() + s[1:] if first.lower() in _ONLY_LOWER else s


def conditional(consequent: str, antecedent: str, lang: str) -> str:
    """'S if C.' / 'S om C.' — states S only under a condition."""
    return f"{consequent.strip().rstrip('.!?')} {_IF[lang]} {as_condition(antecedent)}."


def augment(pairs: list[Pair], seed: int, per_rule: int) -> list[Pair]:
    """Up to `per_rule` new pairs per rule and language, drawn with a seeded generator."""
    rnd = random.Random(seed)
    out: list[Pair] = []
    for lang in ("en", "sv"):
        sents = sorted({p.hypothesis for p in pairs
                        if p.lang == lang and 4 <= len(p.hypothesis.split()) <= 25})
        rnd.shuffle(sents)
        names = sorted({m for s in sents for m in _NAME.findall(s)})
        neg = num = cond = swap = 0
        for i, s in enumerate(sents):
            if neg < per_rule and (n := negate(s, lang)):
                out.append(Pair(s, n, CON, lang, "aug:negation"))
                out.append(Pair(n, s, CON, lang, "aug:negation"))
                neg += 1
            if num < per_rule and (c := change_number(s, rnd)):
                out.append(Pair(s, c, CON, lang, "aug:number"))
                out.append(Pair(s, s, ENT, lang, "aug:identity"))
                num += 1
            if cond < per_rule:
                other = sents[(i * 7 + 3) % len(sents)]
                if other != s:
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
