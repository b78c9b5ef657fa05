"""The verdict engine: what each evidence sentence says about the proposition, and the verdict.

A `Judge` takes the analysed query and its evidence and returns one `Judgement` (stance,
score, reason) per evidence item, in order. Implementations:
- `heuristic.OfflineJudge`: the offline default, rules over alignment, polarity, numbers,
  names, modality and frame; its checks live beside it (`entity_check`, `slots`, `names`,
  `polarity`, `substitution`);
- `llm.LLMJudge`: a chat model asked for JSON, failing closed.
`verdict.aggregate` turns the judged evidence into one `Verdict`.

What it does not hold: choosing the judge (`rag.pipeline`), finding evidence (`rag.query`),
or the NLI model itself (`rag.nli`). This module holds only the Protocol: importing it
loads no judge.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from rag.types import Evidence, Judgement, Query


@runtime_checkable
class Judge(Protocol):
    name: str

    def judge(self, query: Query, evidence: list[Evidence]) -> list[Judgement]: ...
