"""Load, small: the harness of bench/load.py (imported, not copied) against the real
`factcheck chat` subprocess with 5 HTTP API + 5 gradio_client users, a bound of 1 engine
call at a time and 40 waiting, and a flood of 56 simultaneous requests per client kind.
40 waiting is more than the 40 worker threads a FastAPI/Gradio server has by default:
unless the server sizes its pool to the gate (`ui.service.reserve_threads`), the excess
queues for a thread without limit and nothing is ever refused. Asserts behaviour only:
no errors, the excess refused cleanly, nothing hung, /healthz answering during the flood,
recovery, and RSS not growing round over round (a generous bound). Never asserts times."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from typing import Any

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

MB_GROWTH_BOUND = 100  # measured: under 8 MB over 3 rounds of 200 requests (bench/load.py)


def _harness() -> Any:
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def load_run(tmp_path_factory, seeds_index) -> dict[str, Any]:
    load = _harness()
    cfg = load.LoadConfig(api_users=5, gradio_users=5, requests_per_user=2, rounds=3,
                          concurrency=1, max_queue=40, flood=56, per_group=3,
                          timeout_s=120)
    work = tmp_path_factory.mktemp("load")
    data = work / "data"  # the server gets its own copy of the session's seeds index
    shutil.copytree(seeds_index, data)
    return load.run(cfg, work, progress=lambda s: None, data=data)


def test_every_request_is_answered_under_load(load_run):
    assert load_run["workload"]["by_lang_kind_route"].keys() >= {
        "en/question/ask", "sv/question/ask", "en/claim/ask", "sv/claim/ask"}
    for phase in [load_run["baseline"], *load_run["rounds"]]:
        for kind in ("api", "gradio"):
            row = phase[kind]
            assert row["requests"] > 0
            assert row["errors"] == 0, row["error_samples"]
    assert sum(r["api"]["requests"] + r["gradio"]["requests"]
               for r in load_run["rounds"]) == 3 * 10 * 2


@pytest.mark.parametrize("client", ["api", "gradio"])
def test_queue_full_is_refused_cleanly_and_the_service_recovers(load_run, client):
    flood = next(f for f in load_run["floods"] if f["client"] == client)
    assert flood["sent"] == 56
    assert flood["other"] == []  # nothing but an answer or the documented busy refusal
    assert flood["ok"] + flood["refused_clean"] == flood["sent"]
    assert flood["refused_clean"] > 0  # the bound (1 running + 40 waiting) was exceeded
    assert flood["ok"] > 0
    assert flood["healthz_status"] == "200"  # the server still answers while flooded
    assert flood["recovered"]
    if client == "gradio":  # Gradio's queue joined over plain HTTP during the flood
        statuses = [status for status, _ in flood["raw_joins"]]
        assert 503 in statuses and set(statuses) <= {200, 503}, flood["raw_joins"]
        assert all(after.isdigit() for status, after in flood["raw_joins"] if status == 503)


def test_memory_is_flat_across_rounds(load_run):
    assert len(load_run["rounds"]) == 3
    assert load_run["peak_rss_mb"] >= max(r["rss_after_mb"] for r in load_run["rounds"])
    assert load_run["rss_growth_mb"] < MB_GROWTH_BOUND
