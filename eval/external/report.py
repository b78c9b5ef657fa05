"""external.md: the external figures as Markdown tables (stdout and the run folder).

Pair suites: per suite and judge the three-way balanced accuracy, accuracy, entailment-vs-not
balanced accuracy, per-label precision/recall, the spread across runs and whether the runs
agreed exactly; the confusion matrices; per phenomenon where the data tags it. Corpus suite:
the own suites' metrics, per-verdict precision/recall and the verdict confusion. Bad figures
are printed like good ones.
"""

from __future__ import annotations

from typing import Any

from eval.external.loaders import NLI_LABELS


def _f(v: Any) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def _pr(per_label: dict[str, Any]) -> str:
    return "; ".join(f"{lab[:3]} P {_f(v['precision'])} R {_f(v['recall'])}"
                     for lab, v in per_label.items())


def markdown(result: dict[str, Any]) -> str:
    lines = ["# External eval", "",
             f"- data: {result['data']}",
             f"- subset: {result['subset']}", ""]
    pairs = result.get("pairs") or {}
    if pairs:
        lines += ["## Pair suites (premise = evidence sentence, hypothesis = claim)", "",
                  "| suite | lang | n (of) | judge | balanced acc. | accuracy | entail-vs-not | "
                  "runs: spread, identical | per label |", "|---|---|---|---|---|---|---|---|---|"]
        for name, s in pairs.items():
            for judge, r in s["judges"].items():
                langs = ", ".join(r["by_language"])
                lines.append(
                    f"| {name} | {langs} | {s['n']} ({s['total']}) | {judge} | "
                    f"{_f(r['balanced_accuracy'])} | {_f(r['accuracy'])} | "
                    f"{_f(r['balanced_accuracy_entailment'])} | {r['runs']}: "
                    f"{r['balanced_accuracy_spread']:.4f}, "
                    f"{'yes' if r['identical_runs'] else '**no**'} | {_pr(r['per_label'])} |")
        lines += ["", "### Confusion (rows gold, columns predicted)", ""]
        for name, s in pairs.items():
            for judge, r in s["judges"].items():
                cols = list(next(iter(r["confusion"].values())))
                lines.append(f"- {name} / {judge}: " + "; ".join(
                    f"{g[:3]} → " + " ".join(f"{c[:3]} {r['confusion'][g][c]}" for c in cols)
                    for g in NLI_LABELS if g in r["confusion"]))
        tagged = {n: s for n, s in pairs.items()
                  if any(r["by_phenomenon"] for r in s["judges"].values())}
        for name, s in tagged.items():
            judges = list(s["judges"])
            tags = sorted(next(iter(s["judges"].values()))["by_phenomenon"])
            lines += ["", f"### {name}: per phenomenon (balanced accuracy, n)", "",
                      "| phenomenon | n | " + " | ".join(judges) + " |",
                      "|---|---|" + "---|" * len(judges)]
            for t in tags:
                row = [s["judges"][j]["by_phenomenon"][t] for j in judges]
                lines.append(f"| {t} | {row[0]['n']} | "
                             + " | ".join(_f(x["balanced_accuracy"]) for x in row) + " |")
        if any(s["dropped"] for s in pairs.values()):
            lines += [""] + [f"- {n}: {s['dropped']} rows dropped ({s['dropped_why']})"
                             for n, s in pairs.items() if s["dropped"]]
    c = result.get("corpus")
    if c:
        lines += ["", f"## Corpus suite: Climate-FEVER ({c['n']} of {c['total']} claims, "
                      f"{c['corpus'].get('documents')} documents; {c['seconds']} s)", "",
                  "| metric | value | how |", "|---|---|---|"]
        lines += [f"| {k} | {_f(v)} | {c['reasons'][k]} |" for k, v in c["metrics"].items()]
        lines += ["", "per verdict: " + "; ".join(
            f"{lab} P {_f(v['precision'])} R {_f(v['recall'])} (expected {v['expected']}, "
            f"said {v['predicted']})" for lab, v in c["per_verdict"].items()), ""]
        conf = c.get("confusion") or {}
        if conf:
            cols = list(next(iter(conf.values())))
            lines += ["| expected \\ got | " + " | ".join(cols) + " |",
                      "|---|" + "---|" * len(cols)]
            lines += [f"| {r} | " + " | ".join(str(conf[r][k]) for k in cols) + " |"
                      for r in conf]
        lines += ["", f"report: {c['report']}"]
    return "\n".join(lines) + "\n"
