"""Article text is data, never instructions, and the output says only what it may.

- `hidden`: text a reader cannot see (invisible characters, markup, encoded blobs,
  instructions to an AI) marked at ingest so it is never indexed or quoted;
- `guard`: the output guard — prompt leaks (canary), codes and links the evidence never
  gave, markup — applied to everything an LLM writes.

What it does not hold: the verification of answers against their quotes (`rag.answer.verify`).
"""
