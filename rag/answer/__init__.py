"""From a verdict and its evidence to the `Answer` the user sees.

- `compose`: the extractive answer (a lead sentence, then verbatim quotes with [n]);
- `generate`: the LLM prompt, reply parsing and streaming for generated answers;
- `verify`: the check every answer passes (quotes, markers, per-sentence support);
- `claimreview`: an answer as schema.org ClaimReview JSON-LD.

What it does not hold: judging evidence (`rag.judge`) or the LLM client (`rag.backends`).
"""
