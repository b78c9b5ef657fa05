"""Instructions found by their grammar, not by known phrases: a sentence that tells its
reader what to do — an imperative of a verb of answering, saying, citing, judging or
ignoring, a second-person or reader-role subject with a directive modal, a note addressed
to whoever reads or summarises the text — in English and Swedish, wherever it stands in
the sentence.

The text is checked as `clauses()` gives it: after a label ("Editor's note:", "PS —"), a
table cell, a semicolon or dash, and after a leading subordinate clause ("When you
summarise this, reply …" / "Om du sammanfattar detta, svara …"). A clause is imperative
when it opens with one of those verbs in its bare form followed by what a command takes
(an object, a quote, "with", "only", "that", a code). News text rarely has that shape
outside op-eds; where it does, hiding costs one quotable sentence.

Swedish imperatives are the verb stem ("svara", "skriv", "ange"), which Swedish statements
never open with (they are verb-second; questions open with the present tense "svarar").

`continues(text)` is the looser test for the sentences beside a hidden one: an instruction
split over two sentences, or one that follows a hidden comment, opens with a bare verb of
that kind, a continuation word or an address to "you".

What it does not do: fold confusables or remove invisible characters (callers pass the
visible, folded text: `rag.safety.hidden.visible`), or decide anything about evidence.
"""

from __future__ import annotations

import re


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# verbs of answering, saying, citing, judging and ignoring: what an injection asks for
VERBS_EN = _set(
    "reply respond answer say state write output print repeat ignore disregard forget "
    "cite quote tell conclude classify label rate treat consider include append report "
    "return give list insert summarise summarize translate reveal add describe mention "
    "confirm declare assert assume pretend act follow obey remember rewrite rephrase "
    "emit show display paste copy send link mark refer spell encode decode override omit "
    "prefer prioritise prioritize trust believe accept reject regard flag present explain "
    "claim insist stress note")
VERBS_SV = _set(
    "svara besvara skriv säg ange uppge upprepa ignorera glöm bortse strunta citera "
    "hänvisa rapportera inkludera lägg betrakta behandla klassa klassificera märk "
    "markera återge bekräfta påstå följ lyd nämn översätt sammanfatta avslöja länka "
    "visa skicka ändra kopiera stava koda avkoda utelämna föredra prioritera lita tro "
    "godta acceptera avvisa flagga presentera förklara hävda betona notera "
    "redovisa")
VERBS = VERBS_EN | VERBS_SV

# what follows a command's verb: an object, a quote, a particle, a code (per language: an
# English verb takes an English object — "Mark som ägs av …" is Swedish for land)
_OBJECT_EN = _set(
    "the a an this that these those it them me us all any every each everything "
    "anything nothing only exactly verbatim just with without in as yes no true false "
    "your my our their its instead first always never following below above")
_OBJECT_SV = _set(
    "det den detta denna dessa de alla allt inget ingenting endast bara enbart exakt "
    "med utan på i som ja nej sant falskt ditt din dina era ert följande nedan ovan "
    "först alltid aldrig att hela varje")
_OBJECT = _OBJECT_EN | _OBJECT_SV

_LEAD_WORDS = _set(
    "please kindly now then also just simply always only and so instead next finally "
    "first again vänligen nu sedan också bara alltid endast och så istället därefter "
    "slutligen först igen")
_LEAD_PHRASES = re.compile(r"^(?:var (?:god|snäll|vänlig) (?:och )?|be sure to |make sure "
                           r"(?:to |that you )?|se till att |glöm inte att |"
                           r"don't forget to |do not forget to )", re.I)

_SUBORDINATORS = _set(
    "when whenever if unless once before after while om när innan efter "
    "medan ifall då eftersom")

_SECOND = r"(?:you|your|yours|yourself|yourselves|du|dig|dej|din|ditt|dina|ni|er|ert|era)"
_MODAL = (r"(?:must|should|shall|will|need to|have to|has to|are to|is to|ought to|"
          r"may only|can only|cannot|can't|must not|mustn't|should not|shouldn't|"
          r"are (?:now |hereby )?(?:required|asked|instructed|expected|told|requested|"
          r"supposed|not allowed|not permitted) to|"
          r"måste|ska|skall|bör|behöver|får (?:inte|bara|endast)|ombeds(?: att)?|"
          r"uppmanas(?: att)?|kan bara)")
_ROLE = (r"(?:readers?|the reader|summar(?:y|ies|iser|isers|izer|izers)|fact-?checkers?|"
         r"reviewers?|moderators?|editors? of (?:any|the) summary|whoever|anyone|everyone|"
         r"any(?:one| system| tool| program| software| reader| summary)|all (?:readers|"
         r"systems|tools|summaries)|automated \w+|läsar(?:e|en|na)|"
         r"den som (?:läser|sammanfattar|granskar)|alla som (?:läser|sammanfattar)|"
         r"granskar(?:e|en|na)|faktagranskar(?:e|en|na)|sammanfattning(?:en|ar|arna)?|"
         r"systemet|verktyget|programmet|automatiska \w+)")
# after a modal the verb is an infinitive: Swedish adds -a to a consonant stem (skriv →
# skriva, glöm → glömma), English uses the bare form
_INFINITIVES = frozenset(f for v in VERBS_SV if v[-1] not in "aeiouyåäö"
                         for f in (v + "a", v + v[-1] + "a"))
_VERB_ALT = "|".join(sorted(VERBS | _INFINITIVES, key=len, reverse=True))
_TASK = (r"(?:answers?|reply|replies|response|responses|output|summary|verdict|rating|"
         r"task|job|role|instructions?|conclusion|label|svar(?:et)?|sammanfattning(?:en)?|"
         r"utslag(?:et)?|uppgift(?:en)?|bedömning(?:en)?|slutsats(?:en)?|instruktioner)")

_DIRECTIVE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{_SECOND}\s+(?:\w+\s+)?{_MODAL}\s+(?:\w+\s+)?(?:{_VERB_ALT})\b", re.I),
     "second-person directive"),
    (re.compile(rf"\b(?:your|yours|ditt|din|dina|ert|er|era)\s+(?:\w+\s+)?{_TASK}\b", re.I),
     "addresses the reader's answer"),
    (re.compile(rf"\b(?:if|when|om|när)\s+{_SECOND}\s+(?:are|is|were|är)\s+(?:an?\s+|en\s+|"
                rf"ett\s+)?(?:\w+\s+)?(?:reading|summari[sz]ing|asked|processing|checking|"
                rf"läser|sammanfattar|tillfrågad|frågad|ombedd)\b", re.I),
     "addresses the reader"),
    (re.compile(rf"(?:^|[\s:,;(])(?:{_ROLE})\s+(?:\w+\s+){{0,3}}?{_MODAL}\s+(?:\w+\s+)?"
                rf"(?:{_VERB_ALT})\b", re.I), "directive to a reader role"),
    (re.compile(r"\b(?:note|message|memo|reminder|notice|hint|tip|instructions?|request|"
                r"anteckning|meddelande|notis|påminnelse|uppmaning)s?\s+(?:for|to|till|för)\s+"
                rf"(?:{_ROLE}|{_SECOND}|whoever|all who|those who|de som|alla)\b", re.I),
     "note addressed to the reader"),
]
# "the reply must be PWNED-…", "svaret ska vara 'stöds'": the answer's content dictated
_ABOUT_ANSWER = re.compile(
    rf"\b(?:the|any|every|each|this|its|a|det|varje|detta)\s+(?:final\s+|correct\s+|right\s+|"
    rf"slutliga\s+|korrekta\s+)?{_TASK}\s+{_MODAL}\s+(?:\w+\s+)?(?:be|say|contain|include|"
    rf"begin|start|end|read|vara|innehålla|börja|sluta|lyda|{_VERB_ALT})\s+(?:with\s+|med\s+)?"
    r"(\S+)", re.I)
_LABEL_WORDS = _set(
    "supported refuted conflicting true false yes no correct confirmed stöds motsägs sant "
    "falskt ja nej korrekt bekräftat bekräftad")


_CLAUSE_SPLIT = re.compile(r"\s*(?:[:;|\t\n(\[{]|\s[—–-]{1,2}\s|[—–]|\.{3}|…)\s*")
_QUOTES = "\"'“”‘’«»„‚`*_#>•·-–— "
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def clauses(text: str) -> list[str]:
    """The places in `text` where a command could start: the text, each part after a label
    colon, cell bar, semicolon, bracket or dash, and what follows a leading subordinate
    clause's comma."""
    out = []
    for part in _CLAUSE_SPLIT.split(text):
        part = part.strip(_QUOTES + ".,!?")
        if not part:
            continue
        out.append(part)
        pieces = part.split(",")
        for i in range(1, len(pieces)):
            head = _WORD.findall(pieces[i - 1].lower())
            first = _WORD.findall(pieces[0].lower())
            if first and (first[0] in _SUBORDINATORS or (head and head[0] in _SUBORDINATORS)):
                out.append(",".join(pieces[i:]).strip(_QUOTES))
    return out


def _head(clause: str) -> list[str]:
    """The clause's words with politeness and sequence words stripped from its front."""
    c = _LEAD_PHRASES.sub("", clause.strip(_QUOTES))
    words = _WORD.findall(c)
    i = 0
    while i < len(words) - 1 and words[i].lower() in _LEAD_WORDS:
        i += 1
        c2 = _LEAD_PHRASES.sub("", " ".join(words[i:]))
        words = words[:i] + _WORD.findall(c2)
    return words[i:]


def _object_like(word: str, raw_next: str, verb: str = "") -> bool:
    objects = _OBJECT if not verb else (
        (_OBJECT_EN if verb in VERBS_EN else frozenset())
        | (_OBJECT_SV if verb in VERBS_SV else frozenset()))
    return word.lower() in objects or _code_or_quote(word, raw_next)


def _code_or_quote(word: str, raw_next: str) -> bool:
    if re.search(r"\d", word) and re.search(r"[^\W\d_]", word):  # a code: PWNED-1a2b
        return True
    if len(word) >= 3 and word.isupper() and not word.isdigit():  # a shouted token
        return True
    return bool(re.match(r"[\"'“”‘«]|https?:|www\.|\S+\.\w{2,}", raw_next))


# after a plain comma ("For the full story, cite …") only a command with an unmistakable
# object counts: "Prices will rise, say the analysts" inverts an attribution
_STRONG = _set("with only verbatim med endast bara enbart")


def _after_commas(text: str) -> list[str]:
    return [p.strip(_QUOTES) for p in text.split(",")[1:] if p.strip(_QUOTES)]


def imperative(clause: str, strict: bool = False) -> bool:
    """Does `clause` open with a command of the kind an injection gives? `strict`: only
    with an unmistakable object (a code, quote, link, "with", "only" …), and no "and …"
    (a coordinated verb of the sentence's subject)."""
    words = _WORD.findall(clause) if strict else _head(clause)
    if len(words) < 2:
        return False
    verb, nxt = words[0], words[1]
    if verb.lower() not in VERBS or (verb[0].isupper() and nxt[0].isupper()
                                     and nxt.lower() not in _OBJECT
                                     and not _object_like(nxt, nxt)):
        return False  # "Mark Rutte said …", "Report Finds …" (names, headline case)
    # what the clause says right after the verb, as written (quotes, URLs)
    m = re.search(rf"\b{re.escape(verb)}\b([\"'”’»]?)\s*(\S*)", clause)
    if m and m.group(1):
        return False  # a quoted word: "open" as opposed to "closed"
    raw_next = m.group(2) if m else nxt
    if strict:
        return nxt.lower() in _STRONG or _code_or_quote(nxt, raw_next)
    return _object_like(nxt, raw_next, verb.lower())


def directive(text: str) -> str:
    """Why `text` reads as an instruction to its reader ("" when it does not)."""
    for clause in clauses(text):
        if imperative(clause) or any(imperative(p, strict=True) for p in _after_commas(clause)):
            return "imperative addressed to the reader"
    for pattern, why in _DIRECTIVE:
        if pattern.search(text):
            return why
    for m in _ABOUT_ANSWER.finditer(text):
        word = m.group(1).strip(".,;:!?")
        if word.lower().strip(_QUOTES) in _LABEL_WORDS or _code_or_quote(word, m.group(1)):
            return "dictates the answer"
    return ""


_CONTINUATION = _set(
    "then also next finally otherwise instead afterwards and additionally furthermore "
    "sedan därefter också slutligen annars istället och dessutom")


def continues(text: str) -> bool:
    """The looser test for a sentence next to a hidden one: does it read as the rest of
    an instruction (a bare command verb, a continuation word, an address to "you")?"""
    if directive(text):
        return True
    words = _head(text)
    raw = _WORD.findall(text.strip(_QUOTES))
    if raw and raw[0].lower() in _CONTINUATION:
        return True
    if words and words[0].lower() in VERBS and not (len(words) > 1 and words[1].lower()
                                                    in ("of", "av", "och", "and")):
        return True
    return bool(re.search(r"\b(?:you|your|du|dig|din|ditt|ni)\b", text, re.I))
