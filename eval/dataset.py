"""Eval suites and judge labels: load, validate, and turn into frozen dataclasses.

A suite is a YAML file (`suite`, `description`, `equivalent_sources`, `cases`) or JSON Lines
(one case per line). Every problem is reported as `file:line: what is wrong`, all of them at
once: missing or unknown fields, wrong types, unknown labels/tags/languages, bad regexes,
duplicate ids (across all suites of a run), and en/sv pairs that are not exactly two cases in
two languages. Labels (`eval/labels/*.yaml`) are hand-labelled (claim, passage, label)
triples for the judge meta-evaluation; passages are verbatim spans of named articles.

This module only reads files. Whether a case's expectations are right is a human's job.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from eval import yamlfile
from eval.yamlfile import SuiteError, line_of
from rag.types import VERDICTS, Lang, VerdictLabel

DEV_TAGS = ("unanswerable", "cross-lingual", "numeric", "negation", "entity-swap", "conflicting",
            "injection")
# the gate suite's phenomena (issue 14), as its author named them: kept apart from the dev
# tags so that neither suite's per-tag figures are mistaken for the other's
GATE_TAGS = ("conditional", "attribution", "sv-verb-first", "cross-language", "hedge",
             "numbers", "titles-capitalised", "paraphrase", "disagreement")
# the follow-up suite's (eval/suites/followups.yaml): what the follow-up leaves to the
# conversation — a pronoun, an elided part, a "what about X" that swaps one entity for another
FOLLOWUP_TAGS = ("pronoun", "ellipsis", "what-about", "role", "three-turn")
TAGS = DEV_TAGS + GATE_TAGS + FOLLOWUP_TAGS
LANGS = ("en", "sv")
KINDS = ("question", "claim")
SUPPORT_LABELS = ("supported", "refuted", "unsupported")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CASE_FIELDS = {"id": str, "text": str, "lang": str, "kind": str, "expected": str,
                "sources": list, "must_contain": list, "tags": list, "pair": str, "note": str,
                "history": list, "standalone": str}
_REQUIRED = ("id", "text", "lang", "kind", "expected")

SupportLabel = Literal["supported", "refuted", "unsupported"]


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    lang: Lang
    kind: Literal["question", "claim"]
    expected: VerdictLabel
    sources: tuple[str, ...] = ()
    must_contain: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    pair: str | None = None
    note: str = ""
    # a follow-up: the earlier user turns (oldest first), asked in turn with the engine's
    # answers as the assistant turns, and the standalone question `text` should become
    history: tuple[str, ...] = ()
    standalone: str = ""
    suite: str = ""
    where: str = ""  # file:line, for messages


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    path: str
    sha256: str
    cases: tuple[Case, ...]
    equivalents: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True)
class LabelPair:
    id: str
    claim: str
    lang: Lang
    passage_id: str
    passage: str
    passage_lang: Lang
    source: str
    label: SupportLabel
    kind: str = ""


def _load(path: Path) -> Any:
    """`yamlfile.load`, with the failures PyYAML and json raise outside their own error
    types turned into a `SuiteError` too."""
    try:
        return yamlfile.load(path)
    except RecursionError as exc:
        raise SuiteError(f"{path}: nested too deeply to be a suite or labels file") from exc
    except yaml.YAMLError as exc:  # raised before parsing starts: control characters
        raise SuiteError(f"{path}: malformed YAML: {exc}") from exc
    except ValueError as exc:  # PyYAML's timestamp parsing: "2024-13-45"
        raise SuiteError(f"{path}: invalid value ({exc}); quote it if it is text, and "
                         f"write dates as YYYY-MM-DD") from exc


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check_case(raw: dict[str, Any], where: str, errors: list[str]) -> Case | None:
    body = yamlfile.fields(raw)

    def err(key: str | None, msg: str) -> None:
        errors.append(f"{where.rsplit(':', 1)[0]}:{line_of(raw, key)}: {msg}")

    n = len(errors)
    for key in body:
        if key not in _CASE_FIELDS:
            err(key, f"unknown field {key!r}; allowed: {', '.join(_CASE_FIELDS)}")
    for key in _REQUIRED:
        if key not in body or body[key] in (None, ""):
            err(None, f"case is missing required field {key!r}")
    for key, typ in _CASE_FIELDS.items():
        if key in body and body[key] is not None:
            ok = _str_list(body[key]) if typ is list else isinstance(body[key], typ)
            if not ok:
                want = "a list of strings" if typ is list else "a string"
                err(key, f"field {key!r} must be {want}, got {type(body[key]).__name__}")
    if len(errors) > n:
        return None
    cid = body["id"]
    if not _ID.match(cid):
        err("id", f"id {cid!r} may only use letters, digits, '.', '_' and '-'")
    if body["lang"] not in LANGS:
        err("lang", f"lang must be one of {LANGS}, got {body['lang']!r}")
    if body["kind"] not in KINDS:
        err("kind", f"kind must be one of {KINDS}, got {body['kind']!r}")
    if body["expected"] not in VERDICTS:
        err("expected", f"expected must be one of {VERDICTS}, got {body['expected']!r}")
    for tag in body.get("tags") or []:
        if tag not in TAGS:
            err("tags", f"unknown tag {tag!r}; allowed: {', '.join(TAGS)}")
    for rx in body.get("must_contain") or []:
        try:
            re.compile(rx)
        except (re.error, OverflowError, RecursionError) as exc:  # "a{4294967296}", deep nesting
            err("must_contain", f"must_contain regex {rx!r} does not compile: {exc}")
    sources = body.get("sources") or []
    if body["expected"] == "not_enough_info" and sources:
        err("sources", "a not_enough_info case cannot name sources")
    if body["expected"] in ("supported", "refuted", "conflicting") and not sources:
        err(None, f"a case expected {body['expected']!r} must name its gold sources")
    if not str(body["text"]).strip():
        err("text", "text is empty")
    if body.get("standalone") and not body.get("history"):
        err("standalone", "standalone is the expected rewrite of a follow-up: the case needs "
                          "a history")
    if any(not h.strip() for h in body.get("history") or []):
        err("history", "a history turn is empty")
    if len(errors) > n:
        return None
    return Case(id=cid, text=body["text"], lang=body["lang"], kind=body["kind"],
                expected=body["expected"], sources=tuple(sources),
                must_contain=tuple(body.get("must_contain") or ()),
                tags=tuple(body.get("tags") or ()), pair=body.get("pair"),
                note=body.get("note") or "", history=tuple(body.get("history") or ()),
                standalone=body.get("standalone") or "", where=where)


def load_suite(path: Path, errors: list[str] | None = None) -> Suite:
    """One suite file. With `errors`, problems are appended there instead of raised."""
    own = errors is None
    errs: list[str] = [] if errors is None else errors
    data = _load(path)
    name, description, equivalents = path.stem, "", []
    if isinstance(data, dict):
        body = yamlfile.fields(data)
        for key in body:
            if key not in ("suite", "description", "equivalent_sources", "cases"):
                errs.append(f"{path}:{line_of(data, key)}: unknown top-level key {key!r}; "
                            f"allowed: suite, description, equivalent_sources, cases")
        name = str(body.get("suite") or path.stem)
        description = str(body.get("description") or "")
        groups = body.get("equivalent_sources") or []
        if not isinstance(groups, list):
            errs.append(f"{path}:{line_of(data, 'equivalent_sources')}: equivalent_sources "
                        f"must be a list of lists of source ids")
            groups = []
        for group in groups:
            if not _str_list(group):
                errs.append(f"{path}:{line_of(data, 'equivalent_sources')}: each "
                            f"equivalent_sources entry must be a list of source ids")
            else:
                equivalents.append(frozenset(group))
        rows = body.get("cases")
        if not isinstance(rows, list):
            errs.append(f"{path}:{line_of(data)}: a suite needs a 'cases' list")
            rows = []
    elif isinstance(data, list) and path.suffix == ".jsonl":
        rows = data
    else:
        errs.append(f"{path}:1: a suite must be a mapping with a 'cases' list")
        rows = []
    cases = []
    for raw in rows:
        if not isinstance(raw, dict):
            errs.append(f"{path}:?: each case must be a mapping, got {type(raw).__name__}")
            continue
        case = _check_case(raw, f"{path}:{line_of(raw)}", errs)
        if case is not None:
            cases.append(replace(case, suite=name))
    suite = Suite(name, description, str(path), _sha(path), tuple(cases), tuple(equivalents))
    if own:
        check_suites([suite], errs)
        if errs:
            raise SuiteError("\n".join(errs))
    return suite


def check_suites(suites: list[Suite], errors: list[str]) -> None:
    """Cross-case rules: unique ids over all suites; a pair is one en and one sv case."""
    first: dict[str, str] = {}
    pairs: dict[str, list[Case]] = {}
    for s in suites:
        for c in s.cases:
            if c.id in first:
                errors.append(f"{c.where}: duplicate id {c.id!r} (first at {first[c.id]})")
            else:
                first[c.id] = c.where
            if c.pair:
                pairs.setdefault(c.pair, []).append(c)
    for pid, members in pairs.items():
        if len(members) != 2:
            errors.append(f"{members[-1].where}: pair {pid!r} has {len(members)} case(s); a "
                          f"pair links exactly one en and one sv twin")
        elif {m.lang for m in members} != {"en", "sv"}:
            errors.append(f"{members[1].where}: pair {pid!r} links two {members[0].lang} "
                          f"cases; a pair is one en and one sv twin")


def load_suites(paths: list[Path]) -> list[Suite]:
    errors: list[str] = []
    suites = []
    for p in paths:
        if not p.is_file():
            errors.append(f"{p}: no such suite file")
            continue
        suites.append(load_suite(p, errors))
    check_suites(suites, errors)
    if errors:
        raise SuiteError("\n".join(errors))
    return suites


def load_labels(path: Path) -> list[LabelPair]:
    """A labels file, or every *.yaml in a folder. Passage language is detected once."""
    from rag.nlp.text import detect_lang

    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise SuiteError(f"{path}: no label files (*.yaml)")
    errors: list[str] = []
    out: list[LabelPair] = []
    seen: dict[str, str] = {}
    for f in files:
        data = _load(f)
        if not isinstance(data, dict) or not isinstance(data.get("pairs"), list) \
                or not isinstance(data.get("passages"), dict):
            raise SuiteError(f"{f}:1: a labels file needs 'passages' (a mapping) and 'pairs'")
        passages = {k: v for k, v in yamlfile.fields(data["passages"]).items()}
        for pid, p in passages.items():
            if not isinstance(p, dict) or not isinstance(p.get("text"), str) \
                    or not isinstance(p.get("source"), str):
                errors.append(f"{f}:{line_of(data['passages'], pid)}: passage {pid!r} needs "
                              f"'source' and 'text' strings")
        for raw in data["pairs"]:
            where = f"{f}:{line_of(raw) if isinstance(raw, dict) else '?'}"
            if not isinstance(raw, dict):
                errors.append(f"{where}: each pair must be a mapping")
                continue
            body = yamlfile.fields(raw)
            missing = [k for k in ("id", "claim", "passage", "lang", "label") if k not in body]
            unknown = [k for k in body if k not in ("id", "claim", "passage", "lang", "label",
                                                    "kind")]
            if missing or unknown:
                problems = [f"missing {k!r}" for k in missing]
                problems += [f"unknown field {k!r}" for k in unknown]
                errors.append(f"{where}: " + "; ".join(problems))
                continue
            if not all(isinstance(body[k], str) for k in body):
                errors.append(f"{where}: every field of a pair must be a string")
                continue
            if body["label"] not in SUPPORT_LABELS:
                errors.append(f"{where}: label must be one of {SUPPORT_LABELS}, "
                              f"got {body['label']!r}")
            if body["lang"] not in LANGS:
                errors.append(f"{where}: lang must be one of {LANGS}, got {body['lang']!r}")
            p = passages.get(body["passage"])
            if not isinstance(p, dict) or not isinstance(p.get("text"), str):
                errors.append(f"{where}: unknown passage {body['passage']!r}")
                continue
            if body["id"] in seen:
                errors.append(f"{where}: duplicate id {body['id']!r} (first at {seen[body['id']]})")
            seen[body["id"]] = where
            out.append(LabelPair(body["id"], body["claim"], body["lang"], body["passage"],
                                 p["text"], detect_lang(p["text"]), str(p.get("source", "")),
                                 body["label"], body.get("kind", "")))
    if errors:
        raise SuiteError("\n".join(errors))
    return out
