"""Write a run's files: results.json (everything), report.md (for humans and PRs) and a
self-contained report.html (inline CSS, plots as data URIs, a few lines of inline script
for the per-case filter, no fetches). The sections added for the release gate (wrong
commitments first, limits and margins, calibration, the filterable case table) are in
`eval/report_sections.py`.

Every string from a case, an answer or an article is HTML-escaped: article text and
queries are data (the suite has prompt-injection cases on purpose).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from eval import plots, report_sections

RATE_FMT = "{:.3f}"


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return RATE_FMT.format(v)
    return str(v)


def _limits(payload: dict[str, Any]) -> dict[str, tuple[str, float]]:
    rows = (payload.get("gate") or {}).get("thresholds", [])
    return {r["metric"]: (r["bound"], r["limit"]) for r in rows}


def wrong_cases(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in payload["cases"]
            if (c["answer"] or {}).get("verdict", "error") != c["case"]["expected"]]


def markdown(payload: dict[str, Any]) -> str:
    m = payload["metrics"]
    gate = payload.get("gate") or {}
    judge = payload["judge"]
    lines = [f"# Eval run {payload['run']['id']}", ""]
    if gate:
        lines += [f"**Gate: {'PASSED' if gate['decision']['passed'] else 'FAILED'}**", ""]
        lines += [f"- {f}" for f in gate["decision"]["failures"]] + [""]
    lines += report_sections.markdown_sections(payload)
    eng = payload["engine"]
    lines += ["## What ran", "",
              "- suites: " + ", ".join(f"{s['name']} ({s['cases']} cases, sha256 "
                                        f"{s['sha256'][:12]})" for s in payload["suites"]),
              f"- engine: {json.dumps(eng.get('backend', {}), ensure_ascii=False)}",
              f"- engine settings: {json.dumps(eng.get('settings', {}), ensure_ascii=False)}",
              f"- faithfulness judge: {judge['name']} {judge['version']} "
              f"{json.dumps(judge['settings'], ensure_ascii=False)}",
              "- judge shares code with the engine's judge: " + (
                  "yes" if judge.get("shares_code_with_engine") else
                  "no (independent scorer; shares tokenising, stems, number parsing and the "
                  "embedder with rag/)"),
              f"- git: {payload['environment']['git']}; python "
              f"{payload['environment']['python']}; {payload['environment'].get('cpus')} CPUs, "
              f"load average at start {payload['environment'].get('load_average')}; "
              f"threads {payload['environment'].get('threads')}",
              f"- {payload['run']['seconds']} s for cases, scoring and judge meta-evaluation "
              f"(scoring {payload['run']['scoring_seconds']} s; index load "
              f"{eng.get('index_load_ms', 'n/a')} ms, not in the per-case latency)",
              "", "## Metrics", "",
              "| metric | value | limit | margin | n | n/a | how |",
              "|---|---|---|---|---|---|---|"]
    limits = _limits(payload)
    for name, r in m.items():
        d = r["details"]
        limit, margin = report_sections.limit_cells(name, r["value"], limits)
        lines.append(f"| {name} | {_fmt(r['value'])} | {limit} | {margin} | {d.get('n', '')} "
                     f"| {d.get('na', '')} | {r['reason']} |")
    conf = m["verdict_macro_f1"]["details"].get("confusion", {})
    if conf:
        cols = list(next(iter(conf.values())))
        lines += ["", "## Verdict confusion (rows expected, columns got)", "",
                  "| expected \\ got | " + " | ".join(cols) + " |",
                  "|---|" + "---|" * len(cols)]
        lines += [f"| {r} | " + " | ".join(str(conf[r][c]) for c in cols) + " |" for r in conf]
    by = m["verdict_accuracy"]["details"].get("by_group", {})
    lines += ["", "## Verdict accuracy by group", "", "| group | n | accuracy |", "|---|---|---|"]
    lines += [f"| {g} | {v['n']} | {v['accuracy']:.3f} |" for g, v in by.items()]
    lines += ["", "## Judge meta-evaluation (hand-labelled pairs)", ""]
    for name, meta in payload.get("judge_meta", {}).items():
        j = meta["judge"]
        lines += [f"### {name}: {j['version']}", "",
                  f"- balanced accuracy (supported vs not): {_fmt(meta['balanced_accuracy'])}"
                  f" over {meta['n']} pairs; three-way: {_fmt(meta['balanced_accuracy_3way'])}",
                  "", "| group | n | balanced acc. | accuracy (binary) | accuracy (3-way) |",
                  "|---|---|---|---|---|"]
        lines += [f"| {g} | {v['n']} | {_fmt(v['balanced_accuracy'])} | "
                  f"{_fmt(v['accuracy_binary'])} | {_fmt(v['accuracy_3way'])} |"
                  for g, v in meta["groups"].items()]
        if meta.get("judge_stats"):
            lines += ["", f"judge stats: {json.dumps(meta['judge_stats'])}"]
        lines.append("")
    wrong = sorted(wrong_cases(payload),  # wrong commitments first
                   key=lambda c: report_sections.outcome(c) != "wrong-commitment")
    lines += [f"## Cases with the wrong verdict ({len(wrong)})", "",
              "| id | expected | got | cited |", "|---|---|---|---|"]
    for c in wrong:
        a = c["answer"] or {}
        cited = ", ".join(f"{x['source'][:3]}:{x['stance']}" for x in a.get("citations", []))
        lines.append(f"| {c['case']['id']} | {c['case']['expected']} | "
                     f"{a.get('verdict', 'error: ' + c['error'])} | {cited} |")
    comp = gate.get("comparison")
    if comp:
        lines += ["", f"## Against baseline {gate.get('baseline', '')}", "",
                  "| metric | baseline | current | diff [95% CI] | McNemar p | regression |",
                  "|---|---|---|---|---|---|"]
        for name, t in comp["tests"].items():
            b = t["bootstrap"]
            ci = f" [{b['ci'][0]:+.3f}, {b['ci'][1]:+.3f}]" if b.get("ci") else ""
            diff = f"{b['diff']:+.3f}{ci}" if b.get("diff") is not None else "n/a"
            mc = f"{t['mcnemar']['p']:.3g}" if t.get("mcnemar") else "—"
            lines.append(f"| {name} | {_fmt(t['baseline'])} | {_fmt(t['current'])} | {diff} | "
                         f"{mc} | {'**yes**' if t['regression'] else 'no'} |")
        lines += ["", f"Per-case regressions ({len(comp['cases'])}):", ""]
        lines += [f"- {r['id']}: {r['metric']} {r['before']} -> {r['after']}"
                  for r in comp["cases"]]
    return "\n".join(lines) + "\n"


_CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
vertical-align:top}th{background:#f3f3f3}.ok{color:#1a7f37}.bad{color:#c0392b;font-weight:600}
.quote{color:#444;font-size:12px}.small{font-size:12px;color:#666}img{max-width:100%}"""


def _e(v: Any) -> str:
    return html.escape(str(v), quote=True)


def _case_row(c: dict[str, Any]) -> str:
    a = c["answer"] or {}
    case = c["case"]
    ok = a.get("verdict") == case["expected"]
    ev = []
    for x in a.get("citations", []):
        ev.append(f"<div class='quote'>[{x['n']}] <b>{_e(x['source'])}</b> "
                  f"({_e(x['stance'])}; {_e(x['reason'])}): “{_e(x['quote'])}”</div>")
    judged = []
    for s in c.get("sentences", []):
        if s.get("role") == "frame":
            continue
        mark = "✓" if s.get("faithful") else "✗"
        reasons = "; ".join(f"[{k}] {v}: {_e(c2)}" for k, v in (s.get("each") or {}).items()
                            for c2 in [(s.get("reasons") or {}).get(k, "")])
        judged.append(f"<div class='small'>{mark} {_e(s['role'])}: {_e(s['claim'][:160])} — "
                      f"{reasons}</div>")
    return (f"<tr><td>{_e(case['id'])}<div class='small'>{_e(case['lang'])} "
            f"{_e(', '.join(case['tags']))}</div></td><td>{_e(case['text'])}</td>"
            f"<td>{_e(case['expected'])}</td><td class='{'ok' if ok else 'bad'}'>"
            f"{_e(a.get('verdict', 'error: ' + c.get('error', '')))}"
            f"<div class='small'>conf {a.get('confidence', '')}</div></td>"
            f"<td>{''.join(ev)}{''.join(judged)}</td><td>{c['latency_ms']:.0f}</td></tr>")


def html_report(payload: dict[str, Any]) -> str:
    from markdown_it import MarkdownIt  # ships with gradio's dependencies

    md = MarkdownIt("commonmark").enable("table")
    md.options["html"] = False  # suite and article text never become markup
    conf = payload["metrics"]["verdict_macro_f1"]["details"].get("confusion", {})
    imgs = [plots.metric_bars(payload["metrics"], _limits(payload))]
    if conf:
        imgs.append(plots.confusion(conf, "verdicts"))
    imgs.append(plots.latency_hist([c["latency_ms"] for c in payload["cases"] if c["answer"]]))
    for name, meta in payload.get("judge_meta", {}).items():
        imgs.append(plots.confusion(meta["confusion"], f"judge {name} on labelled pairs",
                                    "judge says", "label"))
    metrics = payload["metrics"]
    if "ece" in metrics:
        imgs.append(plots.reliability(metrics["ece"]["details"].get("bins", []),
                                      metrics["ece"]["value"]))
    if "aurc" in metrics:
        imgs.append(plots.risk_coverage(metrics["aurc"]["details"].get("curve", []),
                                        metrics["aurc"]["value"]))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>eval "
            f"{_e(payload['run']['id'])}</title><style>{_CSS}</style></head><body>"
            f"{md.render(markdown(payload))}<h2>Plots</h2>"
            + "".join(f"<p><img alt='plot' src='{u}'></p>" for u in imgs)
            + "<h2>Per-case results</h2>" + report_sections.case_table(payload, _case_row)
            + "</body></html>")


def write_reports(payload: dict[str, Any], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"results": out / "results.json", "markdown": out / "report.md",
             "html": out / "report.html"}
    paths["results"].write_text(json.dumps(payload, ensure_ascii=False, indent=1),
                                encoding="utf-8")
    paths["markdown"].write_text(markdown(payload), encoding="utf-8")
    paths["html"].write_text(html_report(payload), encoding="utf-8")
    return paths
