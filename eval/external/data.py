"""Where the external data lies, and the files each suite reads from it.

The data is not ours to commit: it stays in `../shared/data` beside the checkout (as in
CI), or wherever `FACTCHECK_EXTERNAL_DATA` or `--data` points. Without it, `data_root`
raises a `SuiteError` (exit 2) whose one line says where the data was expected.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from eval.yamlfile import SuiteError

ENV = "FACTCHECK_EXTERNAL_DATA"
CHECKOUT = Path(__file__).resolve().parents[2]
DEFAULT = CHECKOUT.parent / "shared" / "data"

FILES = {
    "swediagnostics": "nli/superlim2-swediagnostics/swediagnostics_test.jsonl",
    "swefracas": "nli/superlim2-swenli/swenli_test.jsonl",
    "snli_test": "nli/snli/snli_1.0_test.TRUNCATED.jsonl",
    "climate_fever": "claims/climate-fever/climate-fever.jsonl",
}


def data_root(explicit: Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The data folder: `explicit`, else $FACTCHECK_EXTERNAL_DATA, else ../shared/data."""
    environ: Mapping[str, str] = os.environ if env is None else env
    root = explicit or (Path(environ[ENV]) if environ.get(ENV) else DEFAULT)
    if not root.is_dir():
        how = "--data" if explicit else (ENV if environ.get(ENV) else "the default")
        raise SuiteError(f"external data not found: expected {root.resolve()} (from {how}; "
                         f"../shared/data beside the checkout, or set {ENV} or --data)")
    return root


def path_of(root: Path, name: str) -> Path:
    p = root / FILES[name]
    if not p.is_file():
        raise SuiteError(f"external data incomplete: {p} is missing (expected under {root})")
    return p
