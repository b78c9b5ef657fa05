"""Server mode with real processes (issue 18): one `chroma run` on 127.0.0.1 holds the whole
index; two `factcheck chat` processes with data dirs of their own serve it while a third
process ingests; a SIGKILLed ingest leaves the active build alone and its lease expires; two
writers never hold the lease at once; a server that accepts connections and never answers
is a clear error within the configured timeout."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import ROOT, SEEDS, run_cli
from index_helpers import chroma_run, free_port

from rag.config import Settings
from rag.errors import IndexLockedError
from rag.index.server import ChromaStore

QUESTIONS = ["Would an attack on NATO trainers automatically trigger Article 5?",
             "Has Estonia's parliament approved sending training troops to Ukraine?",
             "Har Litauens parlament godkänt att skicka utbildare till Ukraina?"]
NEW_ID = "900_ferries"
NEW_ARTICLE = (
    "Fjordlink orders twelve electric ferries for the Hardanger routes\n\n"
    "The ferry operator Fjordlink has ordered twelve battery-electric ferries from the "
    "Westcon yard in Ølensvåg, the company said on Tuesday. The ferries will replace diesel "
    "vessels on four crossings in the Hardanger fjord from 2026.\n\n"
    "Each ferry carries 120 cars and charges for eight minutes at every quay. Fjordlink "
    "said the order is worth 2.1 billion kroner and that the county pays for the new "
    "charging stations.\n")
NEW_QUESTION = "How many electric ferries did Fjordlink order for the Hardanger fjord?"


def _env(url: str, data: Path, **extra: str) -> dict[str, str]:
    return {"FACTCHECK_CHROMA_URL": url, "FACTCHECK_DATA_DIR": str(data),
            "FACTCHECK_INDEX_POLL_S": "1", **extra}


def _chat(url: str, data: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "ui.cli", "chat", "--port", str(port)],
                            cwd=ROOT, env={**os.environ, **_env(url, data)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_healthy(base: str, proc: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while True:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, f"{base} did not start"
        try:
            r = requests.get(f"{base}/healthz", timeout=5)
            if r.status_code == 200:
                return dict(r.json())
        except requests.RequestException:
            pass
        time.sleep(0.5)


def _assert_resolves(answer: dict[str, Any], st: ChromaStore) -> None:
    """Every citation names a chunk of the build the answer names, and its quote is that
    build's article text at its offsets, inside the chunk."""
    docs, chunks = st.load_build(answer["backend"]["index_build"])
    by_doc, by_chunk = {d.id: d for d in docs}, {c.id: c for c in chunks}
    for c in answer["citations"]:
        chunk = by_chunk[c["chunk_id"]]
        assert chunk.doc_id == c["source"]
        assert chunk.start <= c["start"] < c["end"] <= chunk.end
        assert c["quote"] == by_doc[c["source"]].text[c["start"]:c["end"]]


@pytest.mark.slow
def test_two_app_processes_follow_an_ingest_from_a_third(tmp_path, corpus):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with chroma_run(tmp_path / "srv", port):
        first = run_cli("ingest", "--quiet", str(corpus), env=_env(url, tmp_path / "w1"))
        assert first.returncode == 0, first.stderr
        st = ChromaStore(Settings.from_env(data_dir=tmp_path / "check", chroma_url=url))
        old = st.read_manifest()["current"]
        ports = [free_port(), free_port()]
        apps = [_chat(url, tmp_path / f"app{i}", p) for i, p in enumerate(ports)]
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        try:
            for base, proc in zip(bases, apps, strict=True):
                assert _wait_healthy(base, proc)["index_build"] == old
            (corpus / f"{NEW_ID}.txt").write_text(NEW_ARTICLE, encoding="utf-8")
            results: list[tuple[int, int, dict[str, Any]]] = []
            done = threading.Event()
            seen_new: dict[int, float] = {}

            def ask(i: int) -> None:
                q = [*QUESTIONS, NEW_QUESTION][i // 2 % (len(QUESTIONS) + 1)]  # each to both apps
                r = requests.post(f"{bases[i % 2]}/api/ask", json={"query": q}, timeout=120)
                body = r.json() if r.headers.get("content-type", "").startswith(
                    "application/json") else {}
                results.append((i % 2, r.status_code, body))

            ingest = subprocess.Popen(
                [sys.executable, "-m", "ui.cli", "ingest", "--quiet", str(corpus)], cwd=ROOT,
                env={**os.environ, **_env(url, tmp_path / "w2")},
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

            def watch() -> None:  # when each app first reports the new build, once ingested
                ingest.wait()
                finished = time.monotonic()
                while len(seen_new) < 2 and time.monotonic() - finished < 30:
                    for k, base in enumerate(bases):
                        if k not in seen_new and requests.get(
                                f"{base}/healthz", timeout=10).json()["index_build"] != old:
                            seen_new[k] = time.monotonic() - finished
                    time.sleep(0.2)
                done.set()

            watcher = threading.Thread(target=watch)
            watcher.start()
            with ThreadPoolExecutor(2) as pool:  # a bounded load on both apps throughout
                i = 0
                while not done.is_set() and i < 200:
                    list(pool.map(ask, range(i, i + 2)))
                    i += 2
                list(pool.map(ask, range(i, i + 8)))  # and some more after both switched
            watcher.join()
            out, err = ingest.communicate()
            assert ingest.returncode == 0, err.decode()
            new = st.read_manifest()["current"]
            assert new != old and st.read_manifest()["previous"] == old
            assert sorted(seen_new) == [0, 1], f"apps still on the old build: {seen_new}"
            assert max(seen_new.values()) < 5.0, seen_new  # poll interval 1 s + one load
            assert all(status == 200 for _, status, _ in results), \
                [(s, b) for _, s, b in results if s != 200]
            builds = {b["backend"]["index_build"] for _, _, b in results}
            assert builds <= {old, new} and new in builds, builds
            for _, _, body in results:
                _assert_resolves(body, st)
            for k in (0, 1):  # each app answers from the new build, new article included
                fresh = [b for j, _, b in results[-8:] if j == k]
                assert fresh and all(b["backend"]["index_build"] == new for b in fresh)
                assert any(c["source"] == NEW_ID for b in fresh if b["query"] == NEW_QUESTION
                           for c in b["citations"])
        finally:
            for proc in apps:
                proc.kill()
                proc.wait(timeout=30)


@pytest.mark.slow
def test_a_killed_ingest_leaves_the_active_build_and_its_lease_expires(tmp_path, corpus):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    lease_s = 10.0
    with chroma_run(tmp_path / "srv", port):
        assert run_cli("ingest", "--quiet", str(corpus),
                       env=_env(url, tmp_path / "w1")).returncode == 0
        st = ChromaStore(Settings.from_env(data_dir=tmp_path / "check", chroma_url=url,
                                           lease_s=lease_s))
        before = st.read_manifest()
        (corpus / f"{NEW_ID}.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        # killed while uploading the new build's files: after its chunk vectors
        killed = run_cli("ingest", "--quiet", str(corpus), env=_env(
            url, tmp_path / "w2", FACTCHECK_TEST_KILL_AT="upload",
            FACTCHECK_LEASE_S=str(lease_s)))
        assert killed.returncode == -9, killed.stderr
        assert st.read_manifest() == before
        half = set(st.list_builds()) - {before["current"]}
        assert half, "the killed ingest left no half-written build to clean up"
        held = st.get_record("lease")
        assert held is not None and held["expires"] > time.time()
        with pytest.raises(IndexLockedError, match="lease runs until"), st.writer(0):
            pass
        ask = run_cli("ask", "--json", QUESTIONS[0], env=_env(url, tmp_path / "r"))
        assert ask.returncode == 0, ask.stderr
        assert f'"index_build": "{before["current"]}"' in ask.stdout
        t0 = time.monotonic()
        with st.writer(3 * lease_s):  # waits for the dead writer's lease to expire
            waited = time.monotonic() - t0
        assert waited <= lease_s + 5
        again = run_cli("ingest", "--quiet", str(corpus), env=_env(url, tmp_path / "w3"))
        assert again.returncode == 0, again.stderr
        after = st.read_manifest()
        assert after["previous"] == before["current"] and after["current"] != before["current"]
        assert set(st.list_builds()) == {after["current"], before["current"]}  # leftovers gone


@pytest.mark.slow
def test_a_writer_that_lost_its_lease_publishes_nothing(tmp_path, corpus):
    """A writer paused past its lease (SIGSTOP: its renewals stop too) while another takes
    the lease: resumed, it finds out before the manifest switch and exits 4."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with chroma_run(tmp_path / "srv", port):
        assert run_cli("ingest", "--quiet", str(corpus),
                       env=_env(url, tmp_path / "w1")).returncode == 0
        st = ChromaStore(Settings.from_env(data_dir=tmp_path / "check", chroma_url=url))
        before = st.read_manifest()
        (corpus / f"{NEW_ID}.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        paused = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "ingest", "--quiet", str(corpus)], cwd=ROOT,
            env={**os.environ, **_env(url, tmp_path / "w2", FACTCHECK_TEST_STOP_AT="chroma_add",
                                      FACTCHECK_LEASE_S="3")},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 300
            while Path(f"/proc/{paused.pid}/stat").read_text().split(") ")[1][0] != "T":
                assert paused.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
            with st.writer(30):  # waits out the paused writer's lease, then holds it
                paused.send_signal(signal.SIGCONT)
                _, err = paused.communicate(timeout=300)
                assert paused.returncode == 4, err.decode()
                assert "lost its writer lease" in err.decode()
                assert st.read_manifest() == before
        finally:
            if paused.poll() is None:
                paused.kill()
                paused.wait()


@pytest.mark.slow
def test_two_writers_never_hold_the_lease_at_once(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with chroma_run(tmp_path / "srv", port):
        spans: list[tuple[float, float]] = []

        def write(i: int) -> None:
            st = ChromaStore(Settings.from_env(data_dir=tmp_path / f"d{i}", chroma_url=url))
            with st.writer(60):
                start = time.monotonic()
                time.sleep(1.0)
                spans.append((start, time.monotonic()))

        threads = [threading.Thread(target=write, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        spans.sort()
        assert len(spans) == 3
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans


@pytest.fixture()
def silent_server():
    """Accepts TCP connections on 127.0.0.1 and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    t.join(5)
    for s in held:
        s.close()
    sock.close()


def test_a_chroma_server_that_never_answers_is_a_clear_error(tmp_path, silent_server, embedder):
    env = _env(silent_server, tmp_path / "d", FACTCHECK_CHROMA_TIMEOUT_S="2")
    for args in (("ask", QUESTIONS[0]), ("ingest", "--quiet", str(SEEDS))):
        t0 = time.monotonic()
        out = run_cli(*args, env=env, timeout=90)
        assert time.monotonic() - t0 < 60
        assert out.returncode == 3, out.stderr
        assert "cannot reach the Chroma server" in out.stderr
        assert "no answer within 2s" in out.stderr and "Traceback" not in out.stderr
    from conftest import serve_app

    from rag.judge.heuristic import OfflineJudge
    from rag.pipeline import FactChecker
    from ui.server import create_server

    fc = FactChecker(Settings.from_env(data_dir=tmp_path / "e", chroma_url=silent_server,
                                       chroma_timeout_s=2.0), embedder, OfflineJudge(embedder))
    with serve_app(create_server(fc)) as api:
        t0 = time.monotonic()
        r = requests.post(f"{api}/api/ask", json={"query": QUESTIONS[0]}, timeout=60)
        assert time.monotonic() - t0 < 30
        assert r.status_code == 503 and "no answer within 2s" in r.text


def _readme_commands() -> list[str]:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Scaling out", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


@pytest.mark.slow
def test_the_readme_scaling_out_commands_run_as_shown(tmp_path):
    """The README's server, ingest and two apps, each command as written but for its port
    (the README's ports may be taken here) and `factcheck`/`chroma` from this venv."""
    commands = _readme_commands()
    assert commands[0].startswith("chroma run ") and len(commands) == 4, commands
    assert all(" factcheck " in c for c in commands[1:]), commands
    ports = {p: str(free_port()) for c in commands for p in re.findall(r"(?<=[:\s])(\d{4})\b", c)}
    (tmp_path / "seeds").symlink_to(SEEDS)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for command in commands:
            for old, new in ports.items():
                command = re.sub(rf"(?<=[:\s]){old}\b", new, command)
            words = shlex.split(command)
            env = dict(w.split("=", 1) for w in words if re.fullmatch(r"[A-Z_]+=.*", w))
            argv = [w for w in words if w.split("=", 1)[0] not in env]
            exe = {"chroma": [str(Path(sys.executable).parent / "chroma")],
                   "factcheck": [sys.executable, "-m", "ui.cli"]}[argv[0]]
            full = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
            if argv[:2] == ["factcheck", "ingest"]:
                done = subprocess.run([*exe, *argv[1:]], cwd=tmp_path, env=full,
                                      capture_output=True, text=True, timeout=600)
                assert done.returncode == 0, done.stderr
                continue
            proc = subprocess.Popen([*exe, *argv[1:]], cwd=tmp_path, env=full,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            procs.append(proc)
            port = argv[argv.index("--port") + 1]
            if argv[0] == "chroma":
                deadline = time.monotonic() + 90
                while True:
                    assert proc.poll() is None and time.monotonic() < deadline
                    try:
                        requests.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=2)
                        break
                    except requests.RequestException:
                        time.sleep(0.3)
            else:
                health = _wait_healthy(f"http://127.0.0.1:{port}", proc)
                assert health["documents"] == len(list(SEEDS.glob("*.txt")))
    finally:
        for proc in procs:
            proc.kill()
            proc.wait(timeout=30)
    assert not (tmp_path / "cache-a" / "chroma").exists()  # the data dirs are caches only
    assert (tmp_path / "cache-a" / "cache" / "builds").is_dir()
