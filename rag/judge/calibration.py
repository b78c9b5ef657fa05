"""The verdict's confidence as the estimated probability that it is right, and the bar for
committing to a verdict at all.

A `Calibration` is a Platt map (logistic in the aggregator's raw confidence) fitted by
`train/judge/calibrate.py` on the dev suite — never on the gate suite or a test split —
and committed as `weights/calibration.json` with its manifest (data hashes, recipe,
metrics). Platt rather than isotonic: the dev suite gives ~80 committed verdicts, too few
for an isotonic step function that does not overfit; two parameters are enough to turn
the raw score into a probability. `commit` is the calibrated confidence below which the
verdict becomes `not_enough_info`, chosen on dev so that wrong commitments stay at or
under 5% there.

Reading the file is the only work; applying it is arithmetic (no scikit-learn at run time).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rag.errors import FactCheckError

CALIBRATION = Path(__file__).parent / "weights" / "calibration.json"


class CalibrationError(FactCheckError):
    """The committed calibration file is missing or malformed (a broken install)."""


@dataclass(frozen=True)
class Calibration:
    slope: float
    intercept: float
    commit: float  # calibrated confidence needed to commit to a verdict
    judge: str = ""  # the judge whose raw scores it was fitted on

    def __call__(self, raw: float) -> float:
        return 1.0 / (1.0 + math.exp(-(self.slope * raw + self.intercept)))

    def commits(self, confidence: float) -> bool:
        return confidence >= self.commit


@cache
def load(path: Path = CALIBRATION) -> Calibration:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        m = data["map"]
        return Calibration(float(m["slope"]), float(m["intercept"]), float(data["commit"]),
                           str(data.get("judge", "")))
    except FileNotFoundError as e:
        raise CalibrationError(f"calibration not found at {path}; reinstall the package") from e
    except (ValueError, KeyError, TypeError) as e:
        raise CalibrationError(f"calibration file {path} is malformed: {e}") from e
