"""Text primitives shared by ingest and the engine: sentences with offsets, token counts,
word tokens, stems, stopwords and language id.

Each helper loads its model lazily, once per process (punkt, tiktoken, Snowball, py3langid).
Libraries do the linguistics: nltk's punkt (shipped inside llama-index-core) splits
sentences, tiktoken counts tokens, PyStemmer stems, py3langid identifies the language.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from rag.offline import ensure_offline, nltk_data_dir
from rag.types import Lang

# The tokenisers, in one place. A word keeps its hyphens and apostrophes ("non-combat",
# "Lithuania's"); a part splits at hyphens ("non", "combat": the judge's slots compare the
# parts of a compound); an alphanumeric word has no underscores either (the output guard's
# n-grams, which must not glue "a_b" template tokens into words).
WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
PART_RE = re.compile(r"\w+(?:['’]\w+)*")
ALNUM_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_PUNKT_LANG = {"en": "english", "sv": "swedish"}
# where punkt could end a sentence inside a line: a final mark (and closing quotes or
# brackets) followed by whitespace and more text
_INNER_END = re.compile(r"[.!?…][\"'”’)\]]*\s+\S")
_STEM_LANG = {"en": "english", "sv": "swedish"}


def normalize(text: str) -> str:
    """NFC form: the same article typed in NFC or NFD hashes and matches the same."""
    return unicodedata.normalize("NFC", text)


@lru_cache(maxsize=2)
def _punkt(lang: str) -> Any:
    ensure_offline()
    import nltk
    from nltk.tokenize.punkt import PunktTokenizer

    path = nltk_data_dir()
    if path is not None and str(path) not in nltk.data.path:
        nltk.data.path.insert(0, str(path))
    return PunktTokenizer(_PUNKT_LANG.get(lang, "english"))


def sentence_spans(text: str, start: int, end: int, lang: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets into `text` within [start, end).

    Lines are split first (news text puts paragraphs and list items on their own lines),
    then punkt splits each line. Offsets exclude surrounding whitespace.
    """
    spans: list[tuple[int, int]] = []
    pos = start
    for line in text[start:end].split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        if not _INNER_END.search(line.strip()):
            # no sentence-final mark followed by more text: punkt has nowhere to split,
            # so a one-sentence question is spanned without loading it (1-3 s at start)
            lead = len(line) - len(line.lstrip())
            spans.append((line_start + lead, line_start + len(line.rstrip())))
            continue
        for a, b in _punkt(lang).span_tokenize(line):
            seg = line[a:b]
            lead = len(seg) - len(seg.lstrip())
            trail = len(seg) - len(seg.rstrip())
            if b - a - lead - trail > 0:
                spans.append((line_start + a + lead, line_start + b - trail))
    return spans


@lru_cache(maxsize=1)
def _encoding() -> Any:
    ensure_offline()
    import tiktoken

    return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    # disallowed_special=(): article text containing "<|endoftext|>" is data, not a control token
    return len(_encoding().encode(text, disallowed_special=()))


def words(text: str) -> list[str]:
    """Lower-cased word tokens; typographic apostrophes folded to ASCII ("wouldn’t")."""
    return [w.lower().replace("’", "'") for w in WORD_RE.findall(text)]


@lru_cache(maxsize=2)
def _stemmer(lang: str) -> Any:
    import Stemmer

    return Stemmer.Stemmer(_STEM_LANG.get(lang, "english"))


def stems(tokens: list[str], lang: str) -> list[str]:
    return list(_stemmer(lang).stemWords(tokens))


@lru_cache(maxsize=2)
def stopwords(lang: str) -> frozenset[str]:
    """nltk's stopword lists, shipped inside llama-index-core."""
    path = nltk_data_dir()
    name = _PUNKT_LANG.get(lang, "english")
    if path is None:
        return frozenset()
    file = path / "corpora" / "stopwords" / name
    if not file.exists():
        return frozenset()
    return frozenset(w.strip() for w in file.read_text(encoding="utf-8").splitlines() if w.strip())


@lru_cache(maxsize=1)
def _langid() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(["en", "sv"])
    return ident


def detect_lang(text: str, default: Lang = "en") -> Lang:
    """en or sv, by py3langid restricted to those two; `default` for text with no words."""
    if not WORD_RE.search(text):
        return default
    label, _prob = _langid().classify(text)
    return "sv" if label == "sv" else "en"
