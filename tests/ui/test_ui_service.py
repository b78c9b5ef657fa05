"""The engine gate (bounded concurrency and waiting) and re-indexing from the UI."""

from __future__ import annotations

import shutil
import threading

import pytest
from conftest import SEEDS

from rag.errors import IndexLockedError
from ui.service import Busy, Delta, Final, Gate, Service


def test_gate_refuses_when_the_waiting_room_is_full():
    gate = Gate(concurrency=1, max_waiting=1, wait_s=5)
    release, entered = threading.Event(), threading.Event()
    waiting_started = threading.Event()

    def hold() -> None:
        with gate:
            entered.set()
            release.wait(5)

    def wait_turn() -> None:
        waiting_started.set()
        with gate:
            pass

    holder = threading.Thread(target=hold)
    holder.start()
    assert entered.wait(5)
    waiter = threading.Thread(target=wait_turn)
    waiter.start()
    waiting_started.wait(5)
    for _ in range(100):  # until the waiter is counted
        if gate._waiting == 1:
            break
        threading.Event().wait(0.01)
    with pytest.raises(Busy, match="busy"), gate:
        pass
    release.set()
    holder.join(5)
    waiter.join(5)
    with gate:  # free again
        pass


def test_gate_times_out_into_busy():
    gate = Gate(concurrency=1, max_waiting=4, wait_s=0.05)
    with gate, pytest.raises(Busy, match="waited"), gate:
        pass


def test_ask_events_end_with_the_verified_answer(checker):
    events = list(Service(checker).ask_events("Does Estonia need parliamentary approval to "
                                              "train Ukrainian soldiers?"))
    final = events[-1]
    assert isinstance(final, Final) and final.answer.citations
    assert all(isinstance(e, Delta) for e in events[:-1])
    streamed = "".join(e.text for e in events if isinstance(e, Delta))
    assert streamed in ("", final.answer.answer)  # offline: nothing, or the answer in one piece


def test_a_closed_stream_gives_its_engine_slot_back(checker):
    gate = Gate(concurrency=1, max_waiting=0)
    events = Service(checker, gate).ask_events("Does Estonia need parliamentary approval?")
    next(events)  # holds the only slot while the stream is open
    with pytest.raises(Busy), gate:
        pass
    events.close()
    with gate:
        pass


@pytest.fixture()
def writable_checker(seeds_index, tmp_path, embedder):
    from rag.config import Settings
    from rag.judge.heuristic import OfflineJudge
    from rag.pipeline import FactChecker

    data = tmp_path / "data"
    shutil.copytree(seeds_index, data)
    settings = Settings.from_env(data_dir=data, seeds_dir=SEEDS, lock_timeout_s=0.2)
    return FactChecker(settings, embedder, OfflineJudge(embedder))


def test_reindex_reports_the_build_and_locked_index_is_a_clean_error(writable_checker):
    from rag.index import store

    svc = Service(writable_checker)
    assert "5 docs" in svc.reindex()
    with store.write_lock(writable_checker.settings.data_dir, 1.0), \
            pytest.raises(IndexLockedError, match="another process is writing"):
        svc.reindex()
