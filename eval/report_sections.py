"""The report sections a release engineer reads first (issue 14), beside `eval/report.py`:

- `limit_cells`: limit and margin for the metric table (margin > 0 = room left; a missed
  limit shows a negative margin);
- `markdown_sections`: the wrong commitments (listed first, by kind), per-verdict
  precision/recall, and calibration (reliability bins, risk-coverage at a few coverages);
- `case_table`: the per-case HTML table, collapsed by default, wrong commitments first,
  filterable by outcome, tag and language with a few lines of inline script (no fetches;
  without script every row is simply shown).

Strings from cases and answers are HTML-escaped by the caller's row renderer and here.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from eval.metrics_commit import COMMITTED, kind_of_wrong

NEI = "not_enough_info"
KIND_TEXT = {"swap": "supported <-> refuted", "on_nei": "committed where the truth is n.e.i.",
             "conflict": "one side of a disagreement (or a disagreement that is not)"}


def _f(v: Any) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def limit_cells(name: str, value: float | None, limits: dict[str, tuple[str, float]]
                ) -> tuple[str, str]:
    if name not in limits:
        return "", ""
    bound, limit = limits[name]
    if value is None:
        return f"{bound} {limit:g}", "n/a (fails)"
    margin = value - limit if bound == "min" else limit - value
    mark = "" if margin >= 0 else " **missed**"
    return f"{bound} {limit:g}", f"{margin:+.3f}{mark}"


def outcome(c: dict[str, Any]) -> str:
    got = (c.get("answer") or {}).get("verdict", "error")
    expected = c["case"]["expected"]
    if got == expected:
        return "right"
    if kind_of_wrong(expected, got):
        return "wrong-commitment"
    if got == NEI:
        return "refused"
    return "error"


def markdown_sections(payload: dict[str, Any]) -> list[str]:
    m = payload["metrics"]
    lines: list[str] = []
    wc = m.get("wrong_commitment_rate")
    if wc:
        d = wc["details"]
        ids = d.get("wrong_ids", {})
        by_id = {c["case"]["id"]: c for c in payload["cases"]}
        n_wrong = sum(len(v) for v in ids.values())
        lines += [f"## Wrong commitments ({n_wrong} of {d.get('n', 0)} committed answers: "
                  f"rate {_f(wc['value'])})", ""]
        if n_wrong:
            lines += ["| kind | id | lang | expected | got | confidence | query |",
                      "|---|---|---|---|---|---|---|"]
            for kind, cids in ids.items():
                for cid in cids:
                    c = by_id.get(cid)
                    if c is None:
                        continue
                    a = c.get("answer") or {}
                    q = c["case"]["text"].replace("|", "\\|").replace("\n", " ")[:120]
                    lines.append(f"| {KIND_TEXT[kind]} | {cid} | {c['case']['lang']} | "
                                 f"{c['case']['expected']} | {a.get('verdict')} | "
                                 f"{a.get('confidence', '')} | {q} |")
        lines.append("")
    per = (m.get("verdict_macro_f1") or {}).get("details", {}).get("per_class", {})
    if per:
        lines += ["## Per verdict", "", "| verdict | precision | recall | expected |",
                  "|---|---|---|---|"]
        lines += [f"| {lab} | {_f(v['precision'])} | {_f(v['recall'])} | {v['support']} |"
                  for lab, v in per.items()]
        lines.append("")
    ece = m.get("ece")
    if ece and ece["details"].get("bins"):
        lines += ["## Calibration (committed answers)", "", ece["reason"], "",
                  "| confidence bin | answers | mean confidence | accuracy | gap |",
                  "|---|---|---|---|---|"]
        for b in ece["details"]["bins"]:
            lines.append(f"| {b['lo']:.1f}–{b['hi']:.1f} | {b['n']} | {b['confidence']:.3f} | "
                         f"{b['accuracy']:.3f} | {b['accuracy'] - b['confidence']:+.3f} |")
        curve = (m.get("aurc") or {}).get("details", {}).get("curve", [])
        if curve:
            lines += ["", f"Risk-coverage: {m['aurc']['reason']}", "",
                      "| keep answers with confidence >= | coverage | accuracy of those kept |",
                      "|---|---|---|"]
            for target in (0.1, 0.25, 0.5, 0.75, 1.0):
                row = next((r for r in curve if r["coverage"] >= target), curve[-1])
                lines.append(f"| {row['threshold']:.3f} | {row['coverage']:.3f} | "
                             f"{row['accuracy']:.3f} |")
        lines.append("")
    return lines


_ORDER = {"wrong-commitment": 0, "error": 1, "refused": 2, "right": 3}
_SCRIPT = """<script>
function filt(){var o=document.getElementById('f-outcome').value,
t=document.getElementById('f-tag').value,l=document.getElementById('f-lang').value;
document.querySelectorAll('#cases tr[data-outcome]').forEach(function(r){
var ok=(!o||r.dataset.outcome==o)&&(!l||r.dataset.lang==l)&&
(!t||(' '+r.dataset.tags+' ').indexOf(' '+t+' ')>=0);r.style.display=ok?'':'none';});}
</script>"""


def _select(fid: str, label: str, values: list[str]) -> str:
    opts = "".join(f"<option value='{html.escape(v, quote=True)}'>{html.escape(v)}</option>"
                   for v in values)
    return (f"<label>{label} <select id='{fid}' onchange='filt()'><option value=''>all"
            f"</option>{opts}</select></label> ")


def case_table(payload: dict[str, Any], row: Callable[[dict[str, Any]], str]) -> str:
    cases = sorted(payload["cases"], key=lambda c: _ORDER[outcome(c)])
    rows = []
    for c in cases:
        attrs = (f" data-outcome='{outcome(c)}' "
                 f"data-lang='{html.escape(c['case']['lang'], quote=True)}' "
                 f"data-tags='{html.escape(' '.join(c['case']['tags']), quote=True)}'")
        r = row(c)
        rows.append(r.replace("<tr>", f"<tr{attrs}>", 1))
    counts = {k: sum(outcome(c) == k for c in cases) for k in _ORDER}
    tags = sorted({t for c in cases for t in c["case"]["tags"]})
    langs = sorted({c["case"]["lang"] for c in cases})
    summary = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    committed = sum((c.get("answer") or {}).get("verdict") in COMMITTED for c in cases)
    return (f"<details><summary>Per-case results ({len(cases)} cases: {summary}; "
            f"{committed} committed) — wrong commitments first</summary><p>"
            + _select("f-outcome", "outcome", list(_ORDER)) + _select("f-tag", "tag", tags)
            + _select("f-lang", "language", langs)
            + "</p><table id='cases'><tr><th>case</th><th>text</th><th>expected</th>"
              "<th>got</th><th>evidence, stance, reasons; judged statements</th><th>ms</th></tr>"
            + "".join(rows) + "</table></details>" + _SCRIPT)
