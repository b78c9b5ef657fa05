"""Find the parts of an article that are not article text a reader sees: invisible or
smuggled characters, markup, encoded blobs, chat-template delimiters and instructions
addressed to an AI. Ingest marks them non-body (kind `hidden`, reason what they are), so
they are never chunked, embedded, judged, quoted or sent to a model, and the UI shows a
placeholder instead of them. Offsets always point into the stored text (see Document.text).

Mechanisms, not phrases of known attacks:
- invisible characters: Unicode tag characters (U+E0000 block) and variation-selector
  runs are cut out; a sentence with bidi overrides or two or more zero-width characters
  is hidden whole (what a reader sees is not what a machine reads);
- markup is cut out: HTML comments, <script>/<style> blocks and <system>…</system>-style
  role blocks (across lines), chat-template blocks and tokens, HTML tags, markdown images
  and links to URLs; a sentence with a JSON object or a role line ("System:") is hidden;
- encoded text: a run of base64 or hex that decodes to readable text;
- markup that is never displayed is cut out like HTML comments: markdown comments and
  link reference definitions (`[//]: # (…)`, `[comment]: <> (…)`), CDATA sections,
  processing instructions (`<?…?>`) and `<!…>` declarations;
- disguised letters: a word mixing Latin letters with look-alikes of another script
  (Cyrillic а, е, о, р, с, х …: `rag.safety.fold`) hides its sentence;
- instructions, by structure (`rag.safety.directive`): an imperative of a verb of
  answering, saying, citing or ignoring in any clause, a second-person or reader-role
  directive, a note addressed to the reader — and, as before, a sentence that tells an
  AI / assistant / model what to do or the usual shapes of it ("ignore previous
  instructions", "you are now", "svara endast");
- context: the sentences beside a hidden one are checked with the looser
  `directive.continues` (an instruction split over two sentences, or carried by the
  sentence after a hidden comment).

Every check reads the visible text (`visible`: invisible characters removed, NFKC, the
confusables fold), so interleaving invisible characters or swapping in homoglyphs does
not hide an instruction from it. `Defences` turns each mechanism off, for ablation tests
that show a test fails without it; production code never passes it.

It errs towards hiding: a hidden sentence costs one quotable sentence; a missed one could
steer the model. What it does not do: decide verdicts or touch the text.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rag.nlp.text import sentence_spans
from rag.safety.directive import continues, directive
from rag.safety.fold import fold, mixed_script_words
from rag.types import Span

Range = tuple[int, int, str]  # (start, end, reason)

_SOFT = {"\u00ad"}  # soft hyphens hyphenate long words in real news text
_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Defences:
    """Which mechanisms run (all, unless a test switches one off to show what it does)."""

    fold: bool = True  # confusables fold before checks; mixed-script words hidden
    structure: bool = True  # structural instruction detection (rag.safety.directive)
    context: bool = True  # the sentences beside a hidden one are checked too
    undisplayed_markup: bool = True  # markdown comments, CDATA, processing instructions


ALL = Defences()
NONE = Defences(False, False, False, False)

# markup a renderer never displays: cut out like HTML comments
_UNDISPLAYED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^[ \t]*\[[^\]\n]{1,60}\]:[ \t]*\S.*$", re.M),
     "markdown comment / link reference definition"),
    (re.compile(r"<!\[CDATA\[.*?(?:\]\]>|\Z)", re.S), "CDATA section"),
    (re.compile(r"<\?.*?(?:\?>|\Z)", re.S), "processing instruction"),
    (re.compile(r"<![A-Za-z][^>]*(?:>|\Z)"), "markup declaration"),
]

# constructs found over the whole text, possibly across lines
_RANGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"<!--.*?(?:-->|\Z)", re.S), "HTML comment"),
    (re.compile(r"<(script|style|template|iframe)\b.*?(?:</\1\s*>|\Z)", re.S | re.I),
     "HTML script/style block"),
    (re.compile(r"<(system|user|assistant|developer|instructions?|prompt|tool|function)\b"
                r"[^>]*>.*?(?:</\1\s*>|\Z)", re.S | re.I), "role block (chat delimiters)"),
    (re.compile(r"<\|im_start\|>.*?(?:<\|im_end\|>|\Z)|\[INST\].*?(?:\[/INST\]|\Z)|"
                r"<<SYS>>.*?(?:<</SYS>>|\Z)|<start_of_turn>.*?(?:<end_of_turn>|\Z)", re.S),
     "chat-template block"),
    (re.compile(r"<\|[^|\n]{0,40}\|>|</?s>"), "chat-template token"),
    (re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]{0,300})?/?>"), "HTML/XML tag"),
    (re.compile(r"!\[[^\]\n]{0,200}\]\([^)\n]{0,500}\)"), "markdown image"),
    (re.compile(r"\[[^\]\n]{1,200}\]\((?:https?:|www\.|//|data:|javascript:)[^)\n]*\)", re.I),
     "markdown link"),
    (re.compile(r"[\U000e0000-\U000e007f]+"), "Unicode tag characters (invisible text)"),
    (re.compile(r"[\U000e0100-\U000e01ef\ufe00-\ufe0f]{2,}"), "variation-selector run"),
]

_MARKUP: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"<\|[^|\n]{0,40}\|>|\[/?INST\]|<</?SYS>>|<s>|</s>|<start_of_turn>|"
                r"<end_of_turn>", re.I), "chat-template delimiter"),
    (re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]{0,300})?/?>"), "HTML/XML tag"),
    (re.compile(r"!\[[^\]\n]{0,200}\]\([^)\n]{0,500}\)"), "markdown image"),
    (re.compile(r"\[[^\]\n]{1,200}\]\((?:https?:|www\.|//|data:|javascript:)[^)\n]*\)", re.I),
     "markdown link"),
    (re.compile(r"\{\s*\"[^\"\n]{1,40}\"\s*:"), "JSON object"),
    (re.compile(r"(?:^|\s)#{1,6}\s*(?:system|instructions?|assistant|user|prompt)\b|"
                r"^\s*(?:system|assistant|user|human|ai|developer)\s*:|"
                r"\b(?:begin|end)\s+(?:of\s+)?(?:system|context|prompt|instructions?)\b",
                re.I), "role delimiter"),
]

_AI = (r"(?:AI|A\.I\.|artificial intelligence|(?:AI|virtual) assistants?|chat ?bots?|"
       r"(?:large )?language models?|LLMs?|GPT[-\w]*|ChatGPT|AI (?:models?|systems?|agents?)|"
       r"fact[- ]?check(?:er|ing)? (?:system|tool|bot|engine|assistant)s?|"
       r"AI-(?:assistent|system|modell|verktyg)(?:en|et|er|erna|arna|s)?|"
       r"språkmodell(?:en|er|erna)?|chattbott?(?:en|ar|arna)?|"
       r"faktagransknings(?:system|verktyg)(?:et)?)")
_AI_IMPERATIVE = (r"(?:must|should|shall|need to|have to|are (?:required|instructed|told) to|"
                  r"reply|respond|answer|say|output|print|write|repeat|reveal|include|append|"
                  r"state|tell|report|conclude|mark|rate|classify|label|cite|quote|"
                  r"summari[sz]e|translate|encode|decode|execute|run|call|follow|obey|"
                  r"ignore|disregard|forget|måste|ska|skall|bör|svara|skriv|säg|upprepa|"
                  r"avslöja|ange|rapportera|inkludera|följ|lyd|ignorera|glöm)")
_INSTRUCTION: list[re.Pattern[str]] = [re.compile(p, re.I) for p in (
    # English
    r"\b(?:ignore|disregard|forget|override|bypass|overrule)\b.{0,40}?\b(?:previous|prior|"
    r"above|earlier|preceding|your|system|original)\b.{0,30}?\b(?:instructions?|prompts?|"
    r"rules|guidelines|directions|directives|context|messages?)\b",
    r"\b(?:ignore|disregard|forget)\b.{0,20}?\b(?:all|any)\b.{0,20}?\b(?:instructions?|"
    r"prompts?)\b",
    r"\b(?:new|updated|real|actual|hidden|secret|additional)\s+(?:instructions?|directives?)"
    r"\s*[:\-–—]",
    r"\b(?:system prompt|system message|developer message|your (?:instructions|initial "
    r"prompt|original prompt|prompt|configuration))\b",
    r"\byou are (?:now|no longer|actually|hereby)\b|\bfrom now on\b|\bact as (?:an?|the)\b|"
    r"\bpretend (?:to be|you are|that you)\b|\brole-?play\b|\bdeveloper mode\b|\bjailbreak|"
    r"\blet'?s play a game\b",
    r"\bas (?:the|your) (?:system )?(?:administrator|admin|developer|operator)\b|"
    r"\b(?:system|admin|administrator|developer|operator)\s+(?:override|notice|message|"
    r"instruction|command|mode)\b",
    rf"\b(?:to|for|attention|note to|dear|hey|hello|hi|if you are|any|all|till|för|hej|"
    rf"kära|alla|om du är)\s+(?:all\s+|the\s+|an?\s+|any\s+|alla\s+|en\s+)?{_AI}\b",
    rf"\b{_AI}\s*:",
    rf"^\W*(?:{_AI}|assistant|system|model|assistent(?:en)?)\s*[:,]",
    rf"\b{_AI}\b(?:\s+\w+){{0,6}}?\s+(?:reading|processing|summari[sz]ing|analy[sz]ing|"
    rf"parsing|indexing|som läser) (?:this|these|denna|detta|den här)\b",
    rf"\b{_AI}\b(?:\s+[\w'-]+){{0,4}}?\s+{_AI_IMPERATIVE}\b",
    r"^\W*(?:please\s+)?(?:reply|respond|answer|say|output|print|repeat|reveal|append)\s+"
    r"(?:only\s+|exactly\s+|verbatim\s+)?(?:with|the following|in full)\b",
    r"^\W*(?:please\s+)?(?:reply|respond|answer|say|output|print|write|repeat|reveal|"
    r"append)\s+(?:only\s+|exactly\s+|verbatim\s+|with\s+)*(?:[\"'“”]|[A-Z]{3,}|\S*\d)",
    r"\byour (?:answer|reply|response|output) (?:must|should|shall|has to) "
    r"(?:be|say|contain|include|begin|start|end)\b",
    # Swedish
    r"\b(?:ignorera|strunta i|bortse från|glöm|åsidosätt)\b.{0,40}?\b(?:tidigare|"
    r"föregående|ovanstående|alla|dina|era|systemets)\b.{0,30}?\b(?:instruktioner(?:na)?|"
    r"anvisningar(?:na)?|uppmaningar(?:na)?|direktiv(?:en)?)\b",
    r"\b(?:nya|verkliga|hemliga)\s+(?:instruktioner|direktiv)\s*[:\-–—]",
    r"\b(?:systemprompt(?:en)?|systemmeddelande(?:t)?|dina instruktioner)\b",
    r"\bdu är (?:nu|numera|härmed)\b|\bfrån och med nu\b|\blåtsas (?:att du är|vara)\b|"
    r"\bagera som\b|\bspela rollen\b",
    r"\bsom (?:system)?administratör\b",
    r"^\W*(?:svara|skriv|säg|upprepa)\s+(?:endast|bara|enbart|exakt|med)\b",
    r"\b(?:ditt|ert) (?:svar|utdata) (?:måste|ska|skall|bör)\b",
)]

_B64 = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{20,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX = re.compile(r"\b(?:[0-9a-fA-F]{2}[\s:]?){12,}\b")


@lru_cache(maxsize=1)
def _invisible_re() -> re.Pattern[str]:
    """Format characters (category Cf, ~160 of them: one scan of Unicode, once) and the
    variation-selector supplement."""
    cf = "".join(re.escape(chr(c)) for c in range(0x110000)
                 if unicodedata.category(chr(c)) == "Cf" and chr(c) not in _SOFT)
    return re.compile(f"[{cf}\U000e0100-\U000e01ef]")


def is_invisible(ch: str) -> bool:
    """A character that takes no visible space but can carry or reorder text."""
    return bool(_invisible_re().match(ch))


# a zero-width joiner inside an emoji sequence (👩‍👩‍👧‍👦, ❤️‍🔥) is how the emoji is drawn,
# not hidden text: pictograph (+ variation selector / skin tone) ZWJ pictograph
_EMOJI_ZWJ = re.compile("(?<=[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F])\u200d"
                        "(?=[\U0001F000-\U0001FAFF\u2600-\u27BF])")


def count_invisible(text: str) -> int:
    return len(_invisible_re().findall(text)) - len(_EMOJI_ZWJ.findall(text))


def visible(text: str, folded: bool = True) -> str:
    """What a reader sees, as checks should read it: invisible characters removed,
    compatibility forms folded (full-width letters, ligatures), look-alike letters of
    other scripts read as Latin (`folded`), whitespace collapsed."""
    kept = unicodedata.normalize("NFKC", _invisible_re().sub("", text))
    return " ".join((fold(kept) if folded else kept).split())


def _printable(raw: bytes) -> str | None:
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    ok = sum(ch.isprintable() or ch.isspace() for ch in s)
    letters = sum(ch.isalpha() for ch in s)
    return s if s and ok / len(s) > 0.95 and letters / len(s) > 0.5 else None


def decoded_blobs(text: str) -> list[str]:
    """Readable text hidden in base64 or hex runs of `text`."""
    out = []
    for m in _B64.finditer(text):
        run = m.group(0)
        if not (re.search(r"[0-9+/=]", run) or (re.search(r"[a-z]", run)
                                                and re.search(r"[A-Z]", run))):
            continue
        for alt in (False, True):
            try:
                raw = (base64.urlsafe_b64decode if alt else base64.b64decode)(
                    run + "=" * (-len(run) % 4))
            except (binascii.Error, ValueError):
                continue
            if (s := _printable(raw)) is not None:
                out.append(s)
                break
    for m in _HEX.finditer(text):
        try:
            s = _printable(bytes.fromhex(re.sub(r"[\s:]", "", m.group(0))))
        except ValueError:
            continue
        if s is not None:
            out.append(s)
    return out


def instruction(text: str, seen: str | None = None, defences: Defences = ALL) -> str:
    """Why `text` reads as an instruction ("" when it does not); `seen` is its visible
    form when the caller has it."""
    seen = visible(text, defences.fold) if seen is None else seen
    for pattern in _INSTRUCTION:
        if pattern.search(seen):
            return "instruction addressed to an AI"
    if defences.structure and (why := directive(seen)):
        return f"instruction ({why})"
    return ""


def sentence_reason(text: str, defences: Defences = ALL) -> str:
    """Why one sentence (or line) is not article text a reader sees, or ""."""
    bidi = sum(ch in _BIDI for ch in text)
    invisible = count_invisible(text)
    if bidi or invisible >= 2:
        return "invisible characters"
    if defences.fold and mixed_script_words(text):
        return "disguised letters (another script's look-alikes inside a Latin word)"
    seen = visible(text, defences.fold)
    for pattern, why in _MARKUP:
        if pattern.search(seen):
            return why
    if decoded_blobs(seen):
        return "encoded text (base64/hex)"
    return instruction(seen, seen, defences)


def _subtract(a: int, b: int, cuts: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces = [(a, b)]
    for c, d in cuts:
        nxt = []
        for x, y in pieces:
            if d <= x or c >= y:
                nxt.append((x, y))
                continue
            if x < c:
                nxt.append((x, c))
            if d < y:
                nxt.append((d, y))
        pieces = nxt
    return pieces


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _beside_hidden(text: str, units: list[tuple[int, int, str]],
                   defences: Defences) -> list[Range]:
    """Sentences next to a hidden unit (in reading order) that read as the rest of an
    instruction; a run of them is followed as far as it goes."""
    hidden = [bool(why) for _, _, why in units]
    changed = True
    while changed:
        changed = False
        for i, (s, e, _) in enumerate(units):
            if hidden[i]:
                continue
            near = (i > 0 and hidden[i - 1]) or (i + 1 < len(units) and hidden[i + 1])
            if near and continues(visible(text[s:e], defences.fold)):
                hidden[i] = changed = True
                units[i] = (s, e, "beside hidden text, continues an instruction")
    return [(s, e, why) for (s, e, why), h in zip(units, hidden, strict=True)
            if h and why.startswith("beside")]


def hidden_ranges(text: str, spans: Iterable[Span], lang: str,
                  defences: Defences = ALL) -> list[Range]:
    """Hidden (start, end, reason) ranges of `text`, sorted, non-overlapping, within the
    given spans (multi-line constructs are found over the whole text)."""
    found: list[Range] = []
    patterns = _RANGES + (_UNDISPLAYED if defences.undisplayed_markup else [])
    for pattern, why in patterns:
        found.extend((m.start(), m.end(), why) for m in pattern.finditer(text))
    ranges = list(found)
    for span in spans:
        units: list[tuple[int, int, str]] = [
            (x, y, why) for x, y, why in ranges if x < span.end and y > span.start]
        for a, b in _subtract(span.start, span.end, [(x, y) for x, y, _ in ranges]):
            a, b = _trim(text, a, b)
            if a >= b:
                continue
            for s, e in sentence_spans(text, a, b, lang):
                why = sentence_reason(text[s:e], defences)
                units.append((s, e, why))
                if why:
                    found.append((s, e, why))
        if defences.context:
            units.sort()
            found.extend(_beside_hidden(text, units, defences))
    found.sort(key=lambda r: (r[0], -r[1]))  # the widest first: its reason names the whole
    merged: list[Range] = []
    for a, b, why in found:
        if merged and a <= merged[-1][1]:
            pa, pb, pw = merged[-1]
            merged[-1] = (pa, max(pb, b), pw)
        else:
            merged.append((a, b, why))
    return merged


def mark_hidden(text: str, spans: tuple[Span, ...], lang: str,
                defences: Defences = ALL) -> tuple[Span, ...]:
    """`spans` with every hidden range cut out of them and marked `hidden`, with what it
    is as the reason; what is left of a span keeps its kind (pieces with no word
    character are dropped: a lone "." is not a sentence)."""
    ranges = hidden_ranges(text, spans, lang, defences)
    if not ranges:
        return spans
    out: list[Span] = []
    for span in spans:
        pieces = [(a, b, span.kind, span.reason)
                  for a, b in _subtract(span.start, span.end, [(x, y) for x, y, _ in ranges])]
        pieces += [(max(x, span.start), min(y, span.end), "hidden", why)
                   for x, y, why in ranges if x < span.end and y > span.start]
        for a, b, kind, reason in sorted(pieces):
            a, b = _trim(text, a, b)
            if a < b and (kind in ("boilerplate", "hidden") or re.search(r"\w", text[a:b])):
                out.append(Span(a, b, kind, reason))  # type: ignore[arg-type]
    return tuple(out)


def is_hidden(span: Span) -> bool:
    return span.kind == "hidden"
