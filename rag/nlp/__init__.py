"""Language primitives shared by every stage: no stage logic, no model of our own.

- `text`: sentences with offsets, token counts, the tokenisers, stems, stopwords, language id;
- `lexicon`: the word lists (cues for negation, hedging, questions, numbers …);
- `align`: term coverage, clause splitting, scaled semantic similarity, the relevance blend;
- `entities`: which words are names, the en/sv country table, whether a name is mentioned;
- `quantities`: numbers with kind, bound and unit, and whether one establishes another.

What it does not hold: decisions (`rag.judge`), or the NLI model (`rag.nli`).
"""
