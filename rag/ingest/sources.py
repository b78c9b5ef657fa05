"""Read article files into `Document`s: validate, detect language, find the title, mark
boilerplate, and attach provenance.

Beyond the canonical form `read_text_file` gives (UTF-8, no BOM, NFC) the text is never
altered: cleaning produces `Span`s over the original string, and only
`body` spans are indexed as evidence. Provenance comes from the text itself (a byline, an
outlet's own footer, a copyright line, a wire dateline "(Reuters) -", a line that is only a
date) or from `sources.yaml` beside the articles; nothing is guessed. The title is the
headline only when the first line looks like one (3-25 words, no final punctuation; a
file that is only such a line has no body and is refused at ingest); otherwise it is
"untitled" (`title_from` "none"), never the first sentence cut off.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from rag.errors import ConfigError
from rag.nlp.text import detect_lang, normalize
from rag.safety.hidden import mark_hidden, sentence_reason
from rag.types import UNTITLED, Document, Provenance, Span, SpanKind

SOURCES_FILE = "sources.yaml"
PROVENANCE_KEYS = ("publisher", "author", "url", "date")
OVERRIDE_KEYS = ("title", "lang")

_BULLET = re.compile(r"^\s*(?:[-•*–—·▪●]\s+)")
_LIST_HEAD = re.compile(r"^\s*(?:read|see)\s+(?:also|more)\b.*:?\s*$|"
                        r"^\s*(?:läs|se)\s+(?:också|även|mer)\b.*:?\s*$", re.I)
_CREDIT = re.compile(r"^\s*(?:photo|image|picture|credit|foto|bild|källa\s+bild)\s*:", re.I)
_SOCIAL = re.compile(
    r"\bon social networks\b|\bfollow (?:us|him|her|them)\b|\bshare (?:on|this)\b|"
    r"\bsubscribe to\b|\bfölj (?:oss|honom|henne)\b|\bprenumerera\b|\bdela på\b", re.I)
_SITE_PREFIX = re.compile(r"^\s*[\w.]{2,40}\s*[-–—|]\s*$")
_BYLINE = re.compile(r"^\s*(?:author|by|written by|av|författare|text)\s*:\s*(.{3,80}?)\s*$", re.I)
# "By Dave DeCamp", "Av Anna Svensson": a line that is only the word and a capitalised name
_BYLINE_BARE = re.compile(
    r"^\s*(?:[Bb]y|[Aa]v)\s+((?:[A-ZÅÄÖÉ][\w'’.-]+\s+){1,3}[A-ZÅÄÖÉ][\w'’-]+)\s*$")
_FOOTER_OUTLET = re.compile(
    r"^\s*read\s+(.{2,40}?)\s+news\s+on\s+social\s+networks\b|"
    r"^\s*(?:this\s+(?:article|story)\s+(?:was\s+)?(?:first|originally)\s+"
    r"(?:appeared|published)|originally\s+published|first\s+published|"
    r"publicerad\s+(?:först|ursprungligen))\s+(?:on|in|at|by|i|på|av)\s+"
    r"(?P<site>[^.,;]{2,40}?)\s*\.?\s*$", re.I)
# "© 2024 Example News. All rights reserved.", "Copyright Example News"
_COPYRIGHT = re.compile(r"^\s*(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s+)?"
                        r"(?P<outlet>[A-ZÅÄÖ][^.|©]{1,40}?)\s*\.?\s*(?:all rights reserved\.?|"
                        r"alla rättigheter förbehållna\.?)?\s*$", re.I)
# a wire dateline opening the body: "KYIV, May 28 (Reuters) - …"
_WIRE = re.compile(r"^[A-ZÅÄÖ][\w .,'-]{0,60}?\((?P<outlet>[A-Z][\w&.' -]{1,30})\)\s*[-–—]\s+\S")
_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)} | {m: i for i, m in enumerate(
    ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
     "oktober", "november", "december"], 1)}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY = (r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|måndag|tisdag|onsdag|torsdag|fredag|"
            r"lördag|söndag")
# a line that is only a date, maybe labelled and with a time: "Published: 28 May 2024 12:30"
_DATE_LINE = re.compile(
    r"^\s*(?:(?P<label>published|updated|posted|publicerad|publicerat|uppdaterad|"
    r"uppdaterat|datum|date)\b\s*:?\s*(?:on\s+|den\s+)?)?(?:(?:" + _WEEKDAY + r"),?\s+)?"
    r"(?:(?P<iso>\d{4}-\d{2}-\d{2})|(?P<d1>\d{1,2})\.?\s+(?P<m1>" + _MONTH + r")\.?,?\s+"
    r"(?P<y1>\d{4})|(?P<m2>" + _MONTH + r")\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4}))"
    r"(?:,?\s*(?:at\s+|kl\.?\s*)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?\s*$",
    re.I)
_TERMINAL = re.compile(r"[.!?:;,\"”’'…)\]]\s*$")
HEADLINE_WORDS = (3, 25)  # a first line this long, with no final punctuation, is a headline


def parse_date(line: str) -> tuple[str, str] | None:
    """(ISO date, label) of a line that is only a date ("28 May 2024", "Published: May 28,
    2024 12:30", "Publicerad 2024-05-28"), else None. Dates that do not exist are None."""
    m = _DATE_LINE.match(line)
    if not m:
        return None
    if m.group("iso"):
        text = m.group("iso")
    else:
        day = m.group("d1") or m.group("d2")
        month = _MONTHS[(m.group("m1") or m.group("m2")).lower()]
        text = f"{m.group('y1') or m.group('y2')}-{month:02d}-{int(day):02d}"
    try:
        date.fromisoformat(text)
    except ValueError:
        return None
    return text, (m.group("label") or "").lower()


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def read_text_file(path: Path, max_bytes: int) -> str:
    """The file's text, or ValueError with a reason a user can act on.

    The text is the canonical form every offset refers to: UTF-8 decoded, a leading BOM
    dropped, Unicode NFC (the same article saved NFC or NFD gives the same text and hash;
    files already NFC, like most, are returned character for character)."""
    try:  # the name is the article id: it is stored as UTF-8 and shown to users
        path.name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("the file name is not valid UTF-8; rename the file (its name is "
                         "the article id)") from exc
    size = path.stat().st_size
    if size == 0:
        raise ValueError("empty file")
    if size > max_bytes:
        raise ValueError(f"too large: {size} bytes (limit {max_bytes}; raise max_file_bytes)")
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("UTF-16 text; re-save the file as UTF-8")
    if b"\x00" in raw:  # anywhere: a NUL is never text, and a late one is no less binary
        raise ValueError("binary file (NUL bytes), not text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8") from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ValueError("empty file (only whitespace)")
    return normalize(text)


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def _line_content(line: str) -> tuple[int, int]:
    """Offsets of a line's content within the line: leading bullets and spaces dropped."""
    m = _BULLET.match(line)
    a = m.end() if m else len(line) - len(line.lstrip())
    b = len(line.rstrip())
    return a, max(a, b)


def classify_lines(text: str) -> tuple[tuple[Span, ...], str | None, dict[str, str]]:
    """Spans for every non-blank line, the headline (if any), and provenance the text states."""
    spans: list[Span] = []
    found: dict[str, str] = {}
    title: str | None = None
    in_list = False
    seen_content = False
    updated = ""
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        a, b = _line_content(line)
        content = line[a:b]
        words = content.split()
        kind: SpanKind = "body"
        reason = ""
        is_item = bool(_BULLET.match(line))
        related = site_prefix = False  # a related-links list goes on; content starts later
        if in_list and is_item:
            kind, reason, related = "boilerplate", "related-links list", True
        elif _LIST_HEAD.match(content) and len(words) <= 6:
            kind, reason, in_list, related = "boilerplate", "related-links heading", True, True
        elif _CREDIT.match(content):
            kind, reason = "boilerplate", "photo/credit line"
        elif m := _FOOTER_OUTLET.match(content):
            kind, reason = "boilerplate", "outlet footer"
            found.setdefault("publisher", m.group(1) or m.group("site"))
        elif m := _COPYRIGHT.match(content):
            kind, reason = "boilerplate", "copyright footer"
            found.setdefault("publisher", m.group("outlet"))
        elif dated := parse_date(content):
            kind, reason = "byline", "dateline"
            # the publication date; an "updated" line counts only when no other is given
            if dated[1] in ("updated", "uppdaterad", "uppdaterat"):
                updated = updated or dated[0]
            else:
                found.setdefault("date", dated[0])
        elif _SOCIAL.search(content) and len(words) <= 25:
            kind, reason = "boilerplate", "social/follow line"
        elif not seen_content and _SITE_PREFIX.match(content):
            kind, reason, site_prefix = "boilerplate", "site prefix", True
        elif m := (_BYLINE.match(content) or _BYLINE_BARE.match(content)):
            kind, reason = "byline", "author line"
            found.setdefault("author", m.group(1))
        elif title is None and not seen_content and not _TERMINAL.search(content) \
                and HEADLINE_WORDS[0] <= len(words) <= HEADLINE_WORDS[1]:
            title, kind, reason = content, "title", "headline"
        elif title is not None and content == title:
            kind, reason = "title", "repeated headline"
        elif not is_item and not _TERMINAL.search(content) and len(words) <= 12:
            kind, reason = "heading", "section heading or caption"
        elif not is_item and content.endswith("?") and len(words) <= 12 \
                and content.count("?") == 1 and not re.search(r"[.!]\s", content):
            kind, reason = "heading", "question heading"
        if not is_item:
            in_list = in_list and related
        if not site_prefix:
            seen_content = True
        if kind == "body" and (m := _WIRE.match(content)):
            found.setdefault("publisher", m.group("outlet"))
        spans.append(Span(line_start + a, line_start + b, kind, reason))
    if updated:
        found.setdefault("date", updated)
    return tuple(spans), title, found


def load_sources_yaml(folder: Path) -> dict[str, dict[str, str]]:
    """Validated entries of `folder/sources.yaml` ({} when there is none)."""
    path = folder / SOURCES_FILE
    if not path.exists():
        return {}
    import yaml

    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    except ValueError as exc:  # PyYAML's own date parsing: "2024-13-45"
        raise ConfigError(f"{path}: invalid value ({exc}); dates must be YYYY-MM-DD") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of article id -> fields")
    out: dict[str, dict[str, str]] = {}
    allowed = PROVENANCE_KEYS + OVERRIDE_KEYS
    for doc_id, fields in data.items():
        if not isinstance(fields, dict):
            raise ConfigError(f"{path}: entry {doc_id!r} must be a mapping of fields")
        entry: dict[str, str] = {}
        for key, value in fields.items():
            if key not in allowed:
                raise ConfigError(f"{path}: {doc_id}: unknown field {key!r} "
                                  f"(allowed: {', '.join(allowed)})")
            if isinstance(value, date):
                value = value.isoformat()
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{path}: {doc_id}.{key} must be a non-empty string")
            if key == "url" and not re.match(r"^https?://\S+$", value):
                raise ConfigError(f"{path}: {doc_id}.url must be an http(s) URL")
            if key == "date":
                try:
                    date.fromisoformat(value)
                except ValueError as exc:
                    raise ConfigError(f"{path}: {doc_id}.date must be YYYY-MM-DD") from exc
            if key == "lang" and value not in ("en", "sv"):
                raise ConfigError(f"{path}: {doc_id}.lang must be 'en' or 'sv'")
            entry[key] = value.strip()
        out[str(doc_id)] = entry
    return out


def build_document(doc_id: str, text: str, path: str = "",
                   meta: dict[str, str] | None = None) -> Document:
    meta = meta or {}
    spans, headline, found = classify_lines(text)
    body_text = " ".join(text[s.start:s.end] for s in spans if s.kind == "body")
    lang = meta.get("lang") or detect_lang(body_text or text)
    # invisible text, markup and instructions to an AI are never body, title or provenance
    spans = mark_hidden(text, spans, "sv" if lang == "sv" else "en")
    if headline and not any(s.kind == "title" and text[s.start:s.end] == headline
                            for s in spans):
        headline = None
    found = {k: v for k, v in found.items() if not sentence_reason(v)}
    # no headline: "untitled", never the first sentence cut off to look like one
    title = meta.get("title") or headline or UNTITLED
    title_from: Literal["headline", "sources.yaml", "none"] = (
        "sources.yaml" if meta.get("title") else "headline" if headline else "none")
    origin = []
    if found:
        origin.append("text")
    if any(k in meta for k in PROVENANCE_KEYS):
        origin.append(SOURCES_FILE)
    prov = {k: meta.get(k) or found.get(k) for k in PROVENANCE_KEYS}
    return Document(
        id=doc_id, title=title, lang="sv" if lang == "sv" else "en", text=text, spans=spans,
        provenance=Provenance(**prov, origin="+".join(origin)), hash=content_hash(text),
        path=path, title_from=title_from,
    )
