"""What a user sends, made fit to analyse: markup cut out as ingest cuts it from articles,
and text that is not language refused.

- `strip_markup`: the constructs `rag.safety.hidden` cuts from an article wherever they
  are (HTML comments, `<script>`/`<style>` blocks, tags, role and chat-template blocks,
  markdown images and links, CDATA …) are cut from a query or a claim too, each replaced
  by a space, so `<script>…</script>` or `<img src=x onerror=…>` around a question cannot
  change what is analysed, retrieved or judged. Sentences are not hidden: an instruction
  in a question steers nothing (the question is never sent as an instruction).
- `not_language`: the reason a text is not language, or "" — binary data decoded
  (control, private-use or unassigned characters, the replacement character of bytes that
  were not UTF-8), or text of mostly symbols and digits rather than words. Which language
  does not matter here; only whether there are words to read.

What it does not do: decide what is check-worthy (`rag.query.claims`) or limit length.
"""

from __future__ import annotations

import re
import unicodedata

from rag.safety.hidden import hidden_ranges

# a handful of odd characters is a typo or an emoji; more than this share is not text
MAX_ODD_SHARE = 0.02
# the least share of the non-space characters that must be letters in words
MIN_LETTER_SHARE = 0.5
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_SPACES = re.compile(r"[ \t]{2,}")


def strip_markup(text: str, lang: str = "en") -> str:
    """`text` with markup cut out, each cut replaced by one space."""
    cuts = hidden_ranges(text, (), lang)
    if not cuts:
        return text
    out, pos = [], 0
    for a, b, _ in cuts:
        out.append(text[pos:a])
        out.append(" ")
        pos = b
    out.append(text[pos:])
    return _SPACES.sub(" ", "".join(out)).strip()


def _odd(ch: str) -> bool:
    if ch in _ALLOWED_CONTROLS:
        return False
    return ch == "\ufffd" or unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")


def not_language(text: str) -> str:
    """Why `text` is not language a person wrote, or "" when it is."""
    chars = [ch for ch in text if not ch.isspace()]
    if not chars:
        return ""  # empty is the caller's own message
    odd = sum(_odd(ch) for ch in chars)
    if odd > max(1, MAX_ODD_SHARE * len(chars)):
        return (f"{odd} of its {len(chars)} characters are control, unassigned or "
                f"undecodable characters (binary data?)")
    # digits are language too: a follow-up like "Och 2012?" is mostly a year
    letters = sum(len(w) for w in _words(text)) + sum(ch.isdigit() for ch in chars)
    if len(chars) >= 8 and letters < MIN_LETTER_SHARE * len(chars):
        return (f"only {letters} of its {len(chars)} characters are letters or digits; "
                f"it reads as symbols, not sentences")
    return ""


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0]


def _words(text: str) -> list[str]:
    """Runs of 2+ letters of one script ("Šimonytė", "Киев"; not "ᚯⷷ": two scripts)."""
    out = []
    for run in re.findall(r"[^\W\d_]+", text):
        word = [run[0]]
        for ch in run[1:]:
            if _script(ch) == _script(word[-1]):
                word.append(ch)
            else:
                out.append("".join(word))
                word = [ch]
        out.append("".join(word))
    return [w for w in out if len(w) >= 2]
