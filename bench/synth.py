"""Deterministic synthetic news corpus for the scale benchmark, grown from the seed articles.

    .venv/bin/python bench/synth.py OUT_DIR --chunks 10000 [--seed 0]
    .venv/bin/python bench/synth.py OUT_DIR --articles 10000

Each language (en, sv) gets a word-bigram model of the seed articles' body sentences;
sentences are walks of that model, so the text has the seeds' vocabulary, word lengths and
punctuation, but says nothing true. A Zipf-distributed pool of invented capitalised names
(and random numbers) is mixed in so the vocabulary has a long tail like a real archive
instead of the seeds' few thousand words. Articles are a headline plus paragraphs, half
English, half Swedish. The number of articles is chosen from the chunk count that
`rag.ingest.chunk.chunk_document` gives a calibration sample, so the corpus chunks to about N
chunks with the default settings. Same seed and N, same files, byte for byte.

Not for retrieval quality: the sentences are word salad. It measures cost at size.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SENTENCES_PER_PARAGRAPH = (2, 5)
PARAGRAPHS = (4, 9)
NAME_POOL = 50_000
NAME_RATE = 0.06  # share of words replaced by an invented name
NUMBER_RATE = 0.02
_TOKEN = re.compile(r"\S+")
_SYLLABLES = ("ka", "lo", "ven", "sta", "mir", "ost", "ri", "ber", "gal", "tu", "nor", "sk",
              "ja", "vik", "hel", "an", "dro", "el", "pe", "tra", "us", "ing", "ös", "ä")


@dataclass(frozen=True)
class Model:
    lang: str
    starts: tuple[str, ...]
    follow: dict[str, tuple[str, ...]]


def _seed_sentences(seeds: Path) -> dict[str, list[str]]:
    from rag.ingest.chunk import body_sentences
    from rag.ingest.sources import build_document, read_text_file

    out: dict[str, list[str]] = {"en": [], "sv": []}
    for path in sorted(seeds.glob("*.txt")):
        doc = build_document(path.stem, read_text_file(path, 5_000_000))
        out[doc.lang].extend(doc.text[a:b] for a, b in body_sentences(doc))
    return out


def build_models(seeds: Path) -> list[Model]:
    models = []
    for lang, sents in sorted(_seed_sentences(seeds).items()):
        if not sents:
            raise SystemExit(f"no {lang} seed sentences in {seeds}")
        follow: dict[str, list[str]] = {}
        starts: list[str] = []
        for s in sents:
            toks = _TOKEN.findall(s)
            if len(toks) < 3:
                continue
            starts.append(toks[0])
            for a, b in zip(toks, [*toks[1:], "\0"], strict=True):
                follow.setdefault(a, []).append(b)
        models.append(Model(lang, tuple(starts), {k: tuple(v) for k, v in follow.items()}))
    return models


def _names(rng: random.Random) -> list[str]:
    names = []
    for _ in range(NAME_POOL):
        n = rng.randint(2, 4)
        names.append("".join(rng.choice(_SYLLABLES) for _ in range(n)).capitalize())
    return names


class Writer:
    def __init__(self, seeds: Path, seed: int) -> None:
        self.rng = random.Random(seed)
        self.models = build_models(seeds)
        self.names = _names(random.Random(seed + 1))
        weights = [1.0 / (i + 1) for i in range(NAME_POOL)]  # Zipf, s = 1
        self._cum = list(accumulate(weights))

    def _name(self) -> str:
        x = self.rng.random() * self._cum[-1]
        return self.names[min(bisect_left(self._cum, x), NAME_POOL - 1)]

    def sentence(self, m: Model, min_words: int = 8, max_words: int = 32) -> str:
        rng = self.rng
        words = [rng.choice(m.starts)]
        while len(words) < max_words:
            nxt = rng.choice(m.follow.get(words[-1], ("\0",)))
            if nxt == "\0":
                if len(words) >= min_words:
                    break
                nxt = rng.choice(m.starts)
            words.append(nxt)
        out = []
        for w in words:
            r = rng.random()
            if r < NAME_RATE:
                w = self._name()
            elif r < NAME_RATE + NUMBER_RATE:
                w = str(rng.randint(2, 9999))
            out.append(w)
        text = " ".join(out).rstrip(",;:")
        return text if text[-1] in ".!?\"”" else text + "."

    def article(self, i: int) -> str:
        m = self.models[i % len(self.models)]
        head = self.sentence(m, 4, 10).rstrip(".!?") + f" {self._name()}"
        paras = []
        for _ in range(self.rng.randint(*PARAGRAPHS)):
            n = self.rng.randint(*SENTENCES_PER_PARAGRAPH)
            paras.append(" ".join(self.sentence(m) for _ in range(n)))
        return head + "\n\n" + "\n\n".join(paras) + "\n"


def chunks_per_article(seeds: Path, seed: int, sample: int = 40) -> float:
    from rag.config import Settings
    from rag.ingest.chunk import chunk_document
    from rag.ingest.sources import build_document

    s = Settings()
    w = Writer(seeds, seed + 7919)  # its own stream: calibration does not shift the corpus
    n = sum(len(chunk_document(build_document(f"c{i}", w.article(i)), s.chunk_tokens,
                               s.chunk_overlap)) for i in range(sample))
    return n / sample


def generate(out: Path, chunks: int, seed: int = 0, seeds: Path = ROOT / "seeds",
             articles: int | None = None) -> int:
    """Write about `chunks` chunks' worth of articles to `out` (or exactly `articles`
    articles); returns the article count. Article i's text is the same either way."""
    n = articles if articles else max(1, math.ceil(chunks / chunks_per_article(seeds, seed)))
    out.mkdir(parents=True, exist_ok=True)
    w = Writer(seeds, seed)
    width = len(str(n))
    for i in range(n):
        (out / f"syn{i:0{width}d}.txt").write_text(w.article(i), encoding="utf-8")
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--chunks", type=int, default=1000)
    ap.add_argument("--articles", type=int, help="this many articles instead (--chunks unused)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    n = generate(a.out, a.chunks, a.seed, articles=a.articles)
    print(f"wrote {n} articles to {a.out}")


if __name__ == "__main__":
    main()
