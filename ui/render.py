"""Pure rendering of an `Answer`: the chat message (verdict badge, answer text with clickable
`[n]` markers, flagged sentences, warnings) and the evidence panel (one card per source,
each quote highlighted inside its paragraph, the whole article one click away with the
exact span marked, cards grouped by stance when the sources disagree).

Everything that comes from an article or a user passes through `esc` — article text is
data, so `<script>` in a source shows up as text. Parts of an article that ingest marked
hidden (invisible characters, markup, encoded blobs, instructions to an AI: `rag.safety.hidden`)
are shown as a placeholder naming the reason, never as their text, so neither an injected
instruction nor a markdown image or link in an article reaches the page; the only URL
ever linked is an article's provenance URL from `sources.yaml`. No Gradio here: these
functions take our types and return strings, and are unit-tested without a server. Ids
are `fc-<key>-c<n>`, where `key` names the answer on the page (a chat turn, a claim row)
so that several answers can coexist.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rag.safety.hidden import is_hidden
from rag.types import STANCES, Answer, Citation, Document, Warning

VERDICT_LABEL = {"supported": "Supported", "refuted": "Refuted",
                 "conflicting": "Conflicting", "not_enough_info": "Not enough info"}
STANCE_LABEL = {"supports": "supports", "refutes": "contradicts", "neutral": "related"}
GROUP_LABEL = {"supports": "Sources that support it", "refutes": "Sources that contradict it",
               "neutral": "Related, neither way"}
LANG_LABEL = {"en": "English", "sv": "Swedish"}
WARNING_TEXT = {
    "unsupported_sentence_dropped": "A sentence its citation did not support was removed",
    "citation_invalid": "A citation whose quote did not match its source was removed",
    "unknown_citation": "A marker that pointed to no source was removed",
}
MARKER = re.compile(r"\[(\d+)\]")
CONTEXT_CHARS = 320  # most characters of paragraph shown on each side of a quote


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def cite_id(key: str, n: int) -> str:
    return f"fc-{key}-c{n}"


def badge(verdict: str, confidence: float) -> str:
    label = VERDICT_LABEL.get(verdict, verdict)
    conf = "" if verdict == "not_enough_info" else \
        f'<span class="fc-conf">confidence {confidence:.0%}</span>'
    return (f'<span class="fc-badge fc-{esc(verdict)}" data-verdict="{esc(verdict)}">'
            f"{esc(label)}</span>{conf}")


def cite_button(key: str, c: Citation) -> str:
    tip = f"{c.title} — {STANCE_LABEL[c.stance]}: {c.quote}"
    # a fragment link: the chat's sanitizer keeps href and class but drops data-* attributes
    return (f'<a class="fc-cite fc-cite-{c.stance}" href="#{cite_id(key, c.n)}" '
            f'title="{esc(tip)}">[{c.n}]</a>')


def linkify_markers(text: str, citations: Mapping[int, Citation], key: str) -> str:
    """Escape `text`, turning each `[n]` that names a citation into a clickable marker."""
    out: list[str] = []
    pos = 0
    for m in MARKER.finditer(text):
        c = citations.get(int(m.group(1)))
        out.append(esc(text[pos:m.start()]))
        out.append(cite_button(key, c) if c else esc(m.group(0)))
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def warning_text(warning: Warning) -> str:
    if warning.code in WARNING_TEXT:
        text = WARNING_TEXT[warning.code]
        return f"{text}: {warning.detail}" if warning.detail else text
    return str(warning)


def warnings_html(warnings: Sequence[Warning]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{esc(warning_text(w))}</li>" for w in warnings)
    return f'<ul class="fc-warnings" aria-label="warnings">{items}</ul>'


def answer_html(answer: Answer, key: str) -> str:
    """The chat message: badge, sentences with markers, unsupported ones flagged, warnings.

    One line of HTML: the chat renders Markdown, where a blank line would end the block.
    """
    cites = {c.n: c for c in answer.citations}
    parts = [f'<div class="fc-answer" data-key="{esc(key)}" lang="{esc(answer.lang)}">',
             f'<div class="fc-head">{badge(answer.verdict, answer.confidence)}</div>']
    if answer.sentences:
        for s in answer.sentences:
            body = linkify_markers(s.text, cites, key)
            if s.supported:
                parts.append(f'<p class="fc-sent" data-support="{s.support:.2f}">{body}</p>')
            else:
                parts.append(f'<p class="fc-sent fc-unsupported" data-support="{s.support:.2f}">'
                             f'{body} <span class="fc-flag">not supported by the sources'
                             f"</span></p>")
    else:
        parts.append(f'<p class="fc-sent fc-refusal">{esc(answer.answer)}</p>')
    parts.append(warnings_html(answer.warnings))
    parts.append("</div>")
    return "".join(parts).replace("\n", " ")


def error_html(message: str) -> str:
    return f'<div class="fc-error" role="alert">{esc(message)}</div>'


def pending_html(text: str = "") -> str:
    """A turn still being answered; `text` is what has streamed so far (none yet offline)."""
    body = esc(text) if text else "Checking the sources…"
    return f'<div class="fc-pending" aria-busy="true">{body}</div>'.replace("\n", " ")


# --- the evidence panel -------------------------------------------------------------------

@dataclass(frozen=True)
class Card:
    source: str
    stance: str | None  # the group it sits in; None when not grouped by stance
    citations: tuple[Citation, ...]


def group_cards(citations: Sequence[Citation], by_stance: bool) -> list[Card]:
    """One card per source (per stance group when grouping), in citation order."""
    order: dict[tuple[str | None, str], list[Citation]] = {}
    for c in sorted(citations, key=lambda c: c.n):
        order.setdefault((c.stance if by_stance else None, c.source), []).append(c)
    cards = [Card(src, st, tuple(cs)) for (st, src), cs in order.items()]
    if by_stance:
        cards.sort(key=lambda card: STANCES.index(card.stance))  # type: ignore[arg-type]
    return cards


def disagree(answer: Answer) -> bool:
    stances = {c.stance for c in answer.citations} - {"neutral"}
    return answer.verdict == "conflicting" or len(stances) > 1


def context_bounds(text: str, start: int, end: int,
                   limit: int = CONTEXT_CHARS) -> tuple[int, int]:
    """The paragraph around text[start:end], cut at a word at most `limit` chars each side."""
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    b = len(text) if b == -1 else b
    if start - a > limit:
        cut = text.find(" ", start - limit, start)
        a = cut + 1 if cut != -1 else start - limit
    if b - end > limit:
        cut = text.rfind(" ", end, end + limit)
        b = cut if cut != -1 else end + limit
    return a, b


Hidden = Sequence[tuple[int, int, str]]  # (start, end, reason) ranges shown as placeholders


def hidden_ranges(doc: Document) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, f"hidden: {s.reason}") for s in doc.spans if is_hidden(s)]


def visible_html(text: str, a: int, b: int, hidden: Hidden = ()) -> str:
    """Escaped text[a:b], each hidden range in it replaced by a placeholder."""
    out: list[str] = []
    pos = a
    for x, y, reason in sorted(hidden):
        if y <= pos or x >= b:
            continue
        out.append(esc(text[pos:max(pos, x)]))
        out.append(f'<span class="fc-hidden" title="not shown: {esc(reason)}">'
                   f"[{esc(reason)}]</span>")
        pos = min(max(pos, y), b)
    out.append(esc(text[pos:b]))
    return "".join(out)


def highlight(text: str, start: int, end: int, a: int = 0, b: int | None = None,
              mark_attrs: str = "", hidden: Hidden = ()) -> str:
    """Escaped text[a:b] with text[start:end] wrapped in <mark>; ellipses where cut;
    `hidden` ranges shown as placeholders."""
    b = len(text) if b is None else b
    head = "…" if a > 0 and text[a - 1] != "\n" else ""
    tail = "…" if b < len(text) and text[b] != "\n" else ""
    attrs = f" {mark_attrs}" if mark_attrs else ""
    return (f"{head}{visible_html(text, a, start, hidden)}<mark{attrs}>"
            f"{visible_html(text, start, end, hidden)}</mark>"
            f"{visible_html(text, end, b, hidden)}{tail}")


def _safe_url(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _card_head(card: Card, doc: Document | None) -> str:
    first = card.citations[0]
    title = first.title or (doc.title if doc else card.source)
    prov = doc.provenance if doc else None
    outlet = prov.publisher if prov and prov.publisher else "outlet not stated"
    meta = []
    if doc is not None and doc.title_from == "none":  # no headline: "untitled", with outlet
        head = (f'<div class="fc-title fc-untitled">untitled · '
                f'<span class="fc-outlet">{esc(outlet)}</span></div>')
    else:
        head = f'<div class="fc-title">{esc(title)}</div>'
        meta.append(f'<span class="fc-outlet">{esc(outlet)}</span>')
    if prov and prov.date:
        meta.append(f'<span class="fc-date">{esc(prov.date)}</span>')
    meta.append(f'<span class="fc-lang" title="{esc(LANG_LABEL.get(first.lang, first.lang))}">'
                f"{esc(first.lang.upper())}</span>")
    stances = {c.stance for c in card.citations}
    stance = next(iter(stances)) if len(stances) == 1 else "mixed"
    meta.append(f'<span class="fc-stance fc-stance-{esc(stance)}">'
                f"{esc(STANCE_LABEL.get(stance, stance))}</span>")
    url = _safe_url(prov.url if prov else None)
    if url:
        meta.append(f'<a class="fc-url" href="{esc(url)}" target="_blank" '
                    f'rel="noopener noreferrer nofollow">original</a>')
    return (f'<header class="fc-card-head">{head}'
            f'<div class="fc-meta">{" · ".join(meta)}</div>'
            f'<div class="fc-source-id">{esc(card.source)}</div></header>')


def _quote_block(c: Citation, doc: Document | None, key: str) -> str:
    cid = cite_id(key, c.n)
    attrs = (f'data-n="{c.n}" data-source="{esc(c.source)}" data-start="{c.start}" '
             f'data-end="{c.end}"')
    reason = f' <span class="fc-reason">{esc(c.reason)}</span>' if c.reason else ""
    head = (f'<div class="fc-quote-head"><span class="fc-n">[{c.n}]</span> '
            f'<span class="fc-stance fc-stance-{esc(c.stance)}">'
            f"{esc(STANCE_LABEL[c.stance])}</span>{reason}</div>")
    if doc is None or doc.text[c.start:c.end] != c.quote:  # not in this build: quote alone
        return (f'<div class="fc-quote-block" id="{cid}" {attrs}>{head}'
                f'<blockquote class="fc-context"><mark class="fc-quote">{esc(c.quote)}</mark>'
                f"</blockquote></div>")
    a, b = context_bounds(doc.text, c.start, c.end)
    hidden = hidden_ranges(doc)
    context = highlight(doc.text, c.start, c.end, a, b, 'class="fc-quote"', hidden)
    article = highlight(doc.text, c.start, c.end, mark_attrs='class="fc-span"', hidden=hidden)
    return (f'<div class="fc-quote-block" id="{cid}" {attrs}>{head}'
            f'<blockquote class="fc-context" lang="{esc(c.lang)}">{context}</blockquote>'
            f'<details class="fc-article"><summary>Open the article at this passage '
            f"(characters {c.start}–{c.end})</summary>"
            f'<div class="fc-article-text" lang="{esc(doc.lang)}">{article}</div></details></div>')


def evidence_html(answer: Answer, docs: Mapping[str, Document], key: str) -> str:
    """The evidence panel for one answer."""
    head = (f'<div class="fc-ev-head">{badge(answer.verdict, answer.confidence)}'
            f'<div class="fc-ev-query">{esc(answer.query)}</div></div>')
    if not answer.citations:
        return (f'<section class="fc-evidence fc-empty" data-key="{esc(key)}">{head}'
                f"<p>No passage in the indexed articles answers this, so nothing is cited."
                f"</p></section>")
    grouped = disagree(answer)
    parts = [f'<section class="fc-evidence" data-key="{esc(key)}" '
             f'data-grouped="{str(grouped).lower()}">{head}']
    current: str | None = None
    for card in group_cards(answer.citations, grouped):
        if grouped and card.stance != current:
            if current is not None:
                parts.append("</div>")
            current = card.stance
            count = sum(1 for c in answer.citations if c.stance == current)
            parts.append(f'<div class="fc-group" data-stance="{esc(current)}">'
                         f"<h4>{esc(GROUP_LABEL[current or 'neutral'])} ({count})</h4>")
        doc = docs.get(card.source)
        blocks = "".join(_quote_block(c, doc, key) for c in card.citations)
        parts.append(f'<article class="fc-card" data-source="{esc(card.source)}">'
                     f"{_card_head(card, doc)}{blocks}</article>")
    if grouped:
        parts.append("</div>")
    parts.append("</section>")
    return "".join(parts)


def empty_evidence_html() -> str:
    return ('<section class="fc-evidence fc-empty"><p>Ask a question or paste a claim: the '
            "sources behind the answer appear here, each quote highlighted in its article."
            "</p></section>")
