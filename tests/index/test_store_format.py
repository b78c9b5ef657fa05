"""The stored document format: builds write `{"format": 2, "docs": […]}` with hidden spans
of their own kind; a format-1 build (a bare list, hidden spans stored as boilerplate with a
"hidden: " reason) is upgraded when read, by the format field and not by reason text; an
unknown format is refused. Real ingest, real embedder, real Chroma."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from rag.config import Settings
from rag.errors import IndexNotReadyError
from rag.index import store
from rag.index.snapshot import load_snapshot
from rag.ingest.build import ingest

ARTICLE = ("Harbour plan approved\n\n"
           "The city council approved the harbour plan on Monday by nine votes to four. "
           "<script>window.alert('run me')</script> "
           "Work on the new quay is to start in the spring and take two years.\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory, embedder) -> tuple[Settings, Path, Path]:
    src = tmp_path_factory.mktemp("articles")
    (src / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
    settings = Settings.from_env(data_dir=tmp_path_factory.mktemp("data"))
    report = ingest([src], settings, embedder, progress=False)
    assert report.changed and not report.skipped
    build = store.read_manifest(settings.data_dir)["current"]
    return settings, store.build_dir(settings.data_dir, build) / "docs.json", src


def _raw(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_new_build_records_its_format_and_hidden_spans_by_kind(built):
    settings, path, _ = built
    raw = _raw(path)
    assert raw["format"] == store.FORMAT == 2
    (doc,) = load_snapshot(settings).docs.values()
    hidden = [s for s in doc.spans if s.kind == "hidden"]
    assert hidden and "<script>" in doc.text[hidden[0].start:hidden[0].end]
    assert not any(s["reason"].startswith("hidden: ") for d in raw["docs"] for s in d["spans"])


def test_a_format_1_build_is_read_with_hidden_spans(built, embedder):
    settings, path, src = built
    current = _raw(path)
    (doc,) = store.docs_from_json(current, "current")
    # the same build as format 1 wrote it: no envelope, hidden spans as prefixed boilerplate
    v1 = [{**d, "spans": [{**s, "kind": "boilerplate", "reason": "hidden: " + s["reason"]}
                          if s["kind"] == "hidden" else s for s in d["spans"]]}
          for d in current["docs"]]
    try:
        path.write_text(json.dumps(v1), encoding="utf-8")
        assert list(load_snapshot(settings).docs.values()) == [doc]
        # ingest reads the old build too, and finds nothing changed (no rebuild needed)
        assert not ingest([src], settings, embedder, progress=False).changed
    finally:
        path.write_text(json.dumps(current), encoding="utf-8")


def test_the_kind_is_never_read_from_the_reason_in_the_current_format(built):
    _, path, _ = built
    current = _raw(path)
    d = current["docs"][0]
    span = {"start": 0, "end": 7, "kind": "boilerplate", "reason": "hidden: site prefix"}
    (doc,) = store.docs_from_json({**current, "docs": [{**d, "spans": [span]}]}, "test")
    assert [asdict(s) for s in doc.spans] == [span]


def test_an_unknown_format_is_refused_with_what_to_do(built):
    _, path, _ = built
    current = _raw(path)
    for fmt in (3, None, "2"):
        with pytest.raises(IndexNotReadyError, match=f"format {fmt!r}.*new --data-dir"):
            store.docs_from_json({**current, "format": fmt}, str(path))
