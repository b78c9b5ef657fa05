"""From the user's text to the evidence a judge weighs.

- `condense`: a follow-up made standalone from the chat history (the LLM, or the rules of
  `followup`, which read the earlier question's parts through `phrases`);
- `analyse`: language, kind, form and the proposition of a question or claim (`Query`);
- `claims`: a pasted paragraph split into check-worthy claims;
- `retrieve`: dense + BM25 retrieval fused into `Hit`s;
- `evidence`: the sentences of those hits closest to the proposition (`Evidence`).

What it does not hold: deciding what the evidence says (`rag.judge`) or the index itself.
"""
