"""Which capitalised words of a question are names, by how the articles write them.

A capital letter is a weak sign: the first word of a question or claim has one by
position ("Sa Kallas att …?", "Har Litauens parlament …?"), and titles carry one without
being names ("Prime Minister", "Premiärminister", "Försvarsministern"). Taken for names,
such words were looked for in the sources, missed, and withheld support or "differed"
and refuted. So, after retrieval, the query's names are checked against the articles
that bear on it (issue 16, point 3):

- a word the articles write in lower case and never capitalised inside a sentence (where
  a capital is not positional) is no name: "Sending" when they say "sending troops", a
  capitalised "Government" when they say "the government";
- titles and offices (`ROLE_WORDS`, Swedish compounds in -minister: "Prime Minister",
  "Premiärminister") stay, whatever the case, for the judge's title check ("Foreign
  Minister" where the source says "Defence Minister" is a swap); `is_role` tells the judge
  they are roles, never a name the source must repeat (`rag.judge.entity_check`);
- all-caps words (NATO, FT) stay names, and so does a word the articles never write:
  an unknown name ("Finland" in a claim about articles on Estonia) is just what the
  judge must find missing. (A Swedish question's verb first, "Sa Kallas …?", is lowered
  by `rag.query.analyse` before names are read.)

Only the retrieved articles are read, not the whole index: the check costs a few
articles' worth of regex per question, whatever the size of the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from rag.nlp.entities import is_role
from rag.types import Query


def _written(word: str, texts: list[str]) -> tuple[bool, bool]:
    """(capitalised inside a sentence somewhere, in lower case somewhere) in `texts`."""
    w = re.escape(word)
    inside = re.compile(rf"[\w,;:)] {w}(?![\w-])")
    lower = re.compile(rf"(?<![\w-]){w.lower()}(?![\w-])")
    return any(inside.search(t) for t in texts), any(lower.search(t) for t in texts)


def refine_names(query: Query, articles: Iterable[str]) -> Query:
    """`query` without the capitalised words the articles (their texts) do not write as
    names."""
    if not query.entities:
        return query
    texts = [t for t in articles if t]
    kept: list[str] = []
    for e in query.entities:
        if (e.isupper() and len(e) > 1) or is_role(e):
            kept.append(e)
            continue
        inside, lower = _written(e, texts)
        if lower and not inside:
            continue  # capitalised by position (or by the user) only
        kept.append(e)
    entities = tuple(kept)
    return query if entities == query.entities else replace(query, entities=entities)
