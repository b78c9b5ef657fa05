"""Language primitives shared by every stage: no stage logic, no model of our own.

- `text`: sentences with offsets, token counts, word tokens, stems, stopwords, language id;
- `lexicon`: the word lists (cues for negation, hedging, questions, numbers …);
- `align`: term coverage, clause splitting, scaled semantic similarity, entity matching;
- `quantities`: numbers with kind, bound and unit, and whether one establishes another.

What it does not hold: decisions (`rag.judge`), or the NLI model (`rag.nli`).
"""
