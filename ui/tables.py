"""Pure rendering for the "Check a text" and "Sources" tabs: the claims table (one row per
check-worthy claim: verdict, strongest evidence, the full evidence panel on demand) and the
indexed-sources table with provenance and chunk counts. Escaped like everything in `render`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rag.types import Answer, Document
from ui.render import VERDICT_LABEL, badge, esc, evidence_html, linkify_markers


def summary_html(counts: Mapping[str, int]) -> str:
    parts = [f"{counts.get('claims', 0)} check-worthy claims"]
    parts += [f'<span class="fc-count fc-{k}">{esc(VERDICT_LABEL[k])}: {counts[k]}</span>'
              for k in VERDICT_LABEL if counts.get(k)]
    return f'<p class="fc-summary">{" · ".join(parts)}</p>'


def claims_html(answers: Sequence[Answer], docs: Mapping[str, Document],
                counts: Mapping[str, int]) -> str:
    rows = []
    for i, a in enumerate(answers, 1):
        key = f"k{i}"
        cites = {c.n: c for c in a.citations}
        top = a.citations[0] if a.citations else None
        if top is not None:
            lead = (f'<q class="fc-top-quote">{esc(top.quote)}</q> '
                    f'<span class="fc-top-source">— {esc(top.title)} '
                    f"({esc(top.lang.upper())})</span> {linkify_markers(f'[{top.n}]', cites, key)}")
            more = (f'<details class="fc-claim-evidence"><summary>All evidence '
                    f"({len(a.citations)})</summary>{evidence_html(a, docs, key)}</details>")
        else:
            lead, more = '<span class="fc-none">no passage close to this in the articles</span>', ""
        rows.append(f'<tr class="fc-claim" data-verdict="{esc(a.verdict)}">'
                    f'<td class="fc-num">{i}</td><td class="fc-claim-text">{esc(a.query)}</td>'
                    f'<td class="fc-claim-verdict">{badge(a.verdict, a.confidence)}</td>'
                    f'<td class="fc-claim-ev">{lead}{more}</td></tr>')
    return (f"{summary_html(counts)}"
            f'<table class="fc-claims"><thead><tr><th>#</th><th>Claim</th><th>Verdict</th>'
            f'<th>Evidence</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def source_rows(snapshot: Any) -> list[dict[str, Any]]:
    """The indexed articles as rows (the same rows `factcheck sources` prints)."""
    return list(snapshot.source_rows())


def sources_html(build_id: str, rows: Sequence[Mapping[str, Any]]) -> str:
    langs = sorted({r["lang"] for r in rows})
    chunks = sum(r["chunks"] for r in rows)
    body = []
    for r in rows:
        prov = [esc(r[k]) for k in ("publisher", "author", "date") if r.get(k)]
        url = r.get("url")
        if url and str(url).lower().startswith(("https://", "http://")):
            prov.append(f'<a href="{esc(url)}" target="_blank" '
                        f'rel="noopener noreferrer nofollow">{esc(url)}</a>')
        body.append(f'<tr data-source="{esc(r["id"])}"><td class="fc-source-id">{esc(r["id"])}'
                    f'</td><td>{esc(r["title"])}</td><td>{esc(str(r["lang"]).upper())}</td>'
                    f'<td class="fc-num">{r["chunks"]}</td>'
                    f'<td>{" · ".join(prov) or "<i>not stated</i>"}</td></tr>')
    return (f'<p class="fc-summary">{len(rows)} articles ({esc(", ".join(langs))}), {chunks} '
            f"chunks — index build <code>{esc(build_id)}</code></p>"
            f'<table class="fc-sources"><thead><tr><th>Source</th><th>Title</th><th>Lang</th>'
            f'<th>Chunks</th><th>Provenance</th></tr></thead><tbody>{"".join(body)}</tbody>'
            f"</table>")
