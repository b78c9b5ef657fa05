"""Read YAML or JSON Lines so that every mapping knows the line it came from.

Validation errors must point at `file:line`, and a mapping with the same key twice is an
error (PyYAML silently keeps the last). Each loaded mapping carries two private keys:
`__line__` (its first line) and `__lines__` (key -> line). `records()` strips them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from rag.errors import InputError


class SuiteError(InputError):
    """A suite, label or gate file is malformed; the message names file:line."""


class _LineLoader(yaml.SafeLoader):
    source = "<yaml>"

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                if key_node.value in seen:
                    raise SuiteError(f"{self.source}:{line}: duplicate key "
                                     f"{key_node.value!r} (first at line {seen[key_node.value]})")
                seen[key_node.value] = line
        mapping = super().construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value
                                if isinstance(k, yaml.ScalarNode)}
        return mapping


def load(path: Path) -> Any:
    """Parse a .yaml/.yml or .jsonl file; JSON Lines give a list of mappings."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{path}: cannot read: {exc}") from exc
    if path.suffix == ".jsonl":
        rows = []
        # JSON Lines are split on "\n" only: str.splitlines() also splits on U+2028 and
        # other separators that may stand raw inside a JSON string
        for i, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SuiteError(f"{path}:{i}: not valid JSON: {exc.msg}") from exc
            if not isinstance(row, dict):
                raise SuiteError(f"{path}:{i}: each line must be a JSON object")
            row["__line__"] = i
            row["__lines__"] = {k: i for k in row if not k.startswith("__")}
            rows.append(row)
        return rows
    loader = _LineLoader(text)
    loader.source = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark.line + 1 if mark else 0
        raise SuiteError(f"{path}:{where}: malformed YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise SuiteError(f"{path}: malformed YAML: {exc}") from exc
    finally:
        loader.dispose()


def line_of(mapping: dict[str, Any], key: str | None = None) -> int:
    if key is not None:
        return int(mapping.get("__lines__", {}).get(key, mapping.get("__line__", 0)))
    return int(mapping.get("__line__", 0))


def fields(mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping without the private line keys."""
    return {k: v for k, v in mapping.items() if k not in ("__line__", "__lines__")}
