"""Aggregation counts independent sources (issue 16, point 4): an article and its
translation (or a copy run by another outlet) are one source, and a source stands on the
side of its strongest judgement. Before, the seeds' Swedish translation counted as a
second source beside its English original (more confidence), and one article's stray
"refutes" beside its own stronger "supports" could make a verdict `conflicting`."""

from __future__ import annotations

from rag.judge.verdict import aggregate
from rag.query.editions import Editions
from rag.types import Evidence, Judgement, Sentence

SV, EN = "000_50532e2996062e32", "001_0f2719b2d72ad6a5"  # a translation and its original
OTHERS = ("002_02562407c6cc2ec0", "003_fd4e6618132d0377", "004_797c8833192f9c9f")


def _judged(source: str, stance: str, score: float, start: int = 0) -> Evidence:
    text = f"Sentence {start} of {source}."
    return Evidence(Sentence(source, f"{source}-c", start, start + len(text), text, "en"),
                    source, score, judgement=Judgement(stance, score, ""))  # type: ignore[arg-type]


def test_the_seeds_translation_is_an_edition_of_its_original_and_nothing_else(checker):
    snap = checker.snapshot()
    groups = Editions().group(snap, [SV, EN, *OTHERS])
    assert groups[SV] == groups[EN]
    assert len({groups[d] for d in OTHERS} | {groups[EN]}) == 4  # different outlets differ


def test_a_copy_under_another_title_is_an_edition(tmp_path, embedder):
    from conftest import SEEDS

    from rag.config import Settings
    from rag.index.snapshot import load_snapshot
    from rag.ingest.build import ingest

    folder = tmp_path / "a"
    folder.mkdir()
    body = (SEEDS / f"{OTHERS[1]}.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    (folder / "original.txt").write_text("Original headline\n" + body, encoding="utf-8")
    (folder / "copy.txt").write_text("Another outlet's headline\n" + body, encoding="utf-8")
    (folder / "other.txt").write_text((SEEDS / f"{OTHERS[2]}.txt").read_text("utf-8"),
                                      encoding="utf-8")
    data = tmp_path / "d"
    ingest([folder], Settings.from_env(data_dir=data), embedder, progress=False)
    snap = load_snapshot(Settings.from_env(data_dir=data))
    groups = Editions().group(snap, ["original", "copy", "other"])
    assert groups["copy"] == groups["original"] != groups["other"]


def test_editions_count_once():
    two = [_judged("a", "supports", 0.9), _judged("b", "supports", 0.9)]
    independent = aggregate(two)
    one = aggregate(two, editions={"a": "a", "b": "a"})
    assert independent.label == one.label == "supported"
    assert one.confidence < independent.confidence
    assert one.reason.startswith("1 source") and independent.reason.startswith("2 source")


def test_an_article_and_its_translation_do_not_conflict():
    ev = [_judged("en", "supports", 0.9), _judged("sv", "refutes", 0.85)]
    assert aggregate(ev).label == "conflicting"  # two sources, as before
    assert aggregate(ev, editions={"en": "en", "sv": "en"}).label == "supported"


def test_a_source_stands_on_the_side_of_its_strongest_judgement():
    ev = [_judged("a", "supports", 0.95), _judged("a", "refutes", 0.86, 40),
          _judged("b", "supports", 0.75), _judged("c", "supports", 0.75)]
    verdict = aggregate(ev)
    assert verdict.label == "supported" and verdict.reason == "3 source(s) support"
    assert all(e.judgement.stance == "supports" for e in verdict.evidence)
    # a real conflict, between sources, is still found
    ev2 = [*ev, _judged("d", "refutes", 0.9), _judged("e", "refutes", 0.9)]
    conflict = aggregate(ev2)
    assert conflict.label == "conflicting"
    assert not any(e.source == "a" and e.judgement.stance == "refutes" for e in conflict.evidence)
    # a tie takes neither side
    tie = [_judged("a", "supports", 0.9), _judged("a", "refutes", 0.9, 40)]
    assert aggregate(tie).label == "not_enough_info"
