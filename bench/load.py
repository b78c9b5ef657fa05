"""Bounded load test of the real server on 127.0.0.1: HTTP API and gradio_client users at once.

    .venv/bin/python bench/load.py [--users 20] [--requests 5] [--rounds 3] [--flood 0]

What it does, in one run:
1. ingests seeds/ into a temporary data dir and starts `factcheck chat` (the real command)
   in a subprocess, so the RSS measured (psutil) is the serving process's own;
2. baseline: one user, sequential, every distinct request of the workload once through the
   HTTP API and once through gradio_client (the rows the load rows are divided by);
3. `rounds` rounds of `users` HTTP API users (`/api/ask`, `/api/check`) and `users`
   gradio_client users (`/ask`, `/check`) at the same time, `requests` each, over a fixed mix
   of English and Swedish questions and claims from the dev eval suite; RSS after each
   round and the peak over the run;
4. queue-full: more simultaneous requests than concurrency + max_queue, through each client
   kind; the excess must be refused cleanly (HTTP 503 with a JSON error and Retry-After;
   gradio_client: its queue-full error, or the engine's busy message), nothing may hang or
   fail otherwise, `/healthz` must answer during the flood, and a request afterwards must
   succeed (recovery).

Prints a table with ratios against the baseline and writes bench/results/load.json.
`tests/test_load.py` runs the same harness with small numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "eval" / "suites" / "dev.yaml"
MB = 1024 * 1024


@dataclass(frozen=True)
class LoadConfig:
    api_users: int = 20
    gradio_users: int = 20
    requests_per_user: int = 5
    rounds: int = 3
    concurrency: int = 2  # the server's FACTCHECK_CONCURRENCY
    max_queue: int = 32  # the server's FACTCHECK_MAX_QUEUE
    flood: int = 0  # simultaneous requests per client kind when flooding; 0: 2*(c+q)+10
    per_group: int = 32  # workload items per (language, kind) group: 32 takes the whole suite
    baseline_requests: int = 24  # evenly spaced over the workload, each through both clients
    timeout_s: float = 300.0  # any single request slower than this counts as hung

    @property
    def flood_size(self) -> int:
        return self.flood or 2 * (self.concurrency + self.max_queue) + 10


@dataclass(frozen=True)
class Request:
    lang: str
    kind: str  # question | claim
    route: str  # ask | check
    text: str


@dataclass(frozen=True)
class Outcome:
    client: str  # api | gradio
    route: str
    ok: bool
    latency_s: float
    status: str  # "200", "503", "QueueError", "timeout", ...
    clean_refusal: bool = False  # the documented busy answer
    detail: str = ""


def workload(per_group: int) -> list[Request]:
    """English and Swedish questions and claims from the dev suite, interleaved; every
    third claim goes to the check route (a paragraph of two claims)."""
    import yaml

    cases = yaml.safe_load(SUITE.read_text("utf-8"))["cases"]
    groups: dict[tuple[str, str], list[str]] = {}
    for c in cases:
        groups.setdefault((c["lang"], c["kind"]), []).append(c["text"])
    out: list[Request] = []
    for i in range(per_group):
        for (lang, kind), texts in sorted(groups.items()):
            if i >= len(texts):
                continue
            if kind == "claim" and i % 3 == 2:
                out.append(Request(lang, kind, "check", f"{texts[i]} {texts[i - 1]}"))
            else:
                out.append(Request(lang, kind, "ask", texts[i]))
    return out


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


# --- the server -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ingest(data_dir: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "ui.cli", "--data-dir", str(data_dir),
                          "ingest", str(ROOT / "seeds"), "--quiet"], cwd=ROOT, text=True,
                         capture_output=True, timeout=900, env=server_env({}))
    if out.returncode != 0:
        raise RuntimeError(f"ingest failed ({out.returncode}): {out.stderr[-2000:]}")


def server_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("FACTCHECK_AUTH", "FACTCHECK_LLM_BASE_URL", "FACTCHECK_CHROMA_URL")}
    env.update({"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                "ANONYMIZED_TELEMETRY": "False", **extra})
    return env


class Server:
    """`factcheck chat` in a subprocess; RSS sampled every 50 ms while it runs."""

    def __init__(self, data_dir: Path, concurrency: int, max_queue: int, log: Path) -> None:
        import psutil

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "chat", "--data-dir", str(data_dir),
             "--port", str(self.port)], cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
            env=server_env({"FACTCHECK_CONCURRENCY": str(concurrency),
                            "FACTCHECK_MAX_QUEUE": str(max_queue)}))
        self.ps = psutil.Process(self.proc.pid)
        self.peak_sampled = 0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            with contextlib.suppress(Exception):
                self.peak_sampled = max(self.peak_sampled, self.rss())

    def rss(self) -> int:
        return int(self.ps.memory_info().rss)

    def peak_rss(self) -> int:
        """The kernel's high-water mark (VmHWM) where there is one, else the sampled peak."""
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return max(int(line.split()[1]) * 1024, self.peak_sampled)
        return self.peak_sampled

    def wait_ready(self, timeout_s: float = 300) -> float:
        import requests

        t0 = time.monotonic()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited {self.proc.returncode}: "
                                   f"{Path(self._log.name).read_text()[-2000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return time.monotonic() - t0
            if time.monotonic() - t0 > timeout_s:
                raise RuntimeError("server did not come up")
            time.sleep(0.25)

    def stop(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(30)
        self._log.close()


# --- the clients ----------------------------------------------------------------------------

def well_shaped(data: Any) -> bool:
    """An Answer (ask) or a claim-mode result {"summary", "claims": [Answer, …]} (check)."""
    if isinstance(data, dict) and "verdict" in data:
        return True
    claims = data.get("claims") if isinstance(data, dict) else None
    return isinstance(claims, list) and "summary" in data and all(
        isinstance(a, dict) and "verdict" in a for a in claims)


def api_call(session: Any, url: str, req: Request, timeout_s: float) -> Outcome:
    import requests

    path, body = (("/api/ask", {"query": req.text}) if req.route == "ask"
                  else ("/api/check", {"text": req.text}))
    t0 = time.perf_counter()
    try:
        r = session.post(url + path, json=body, timeout=timeout_s)
    except requests.Timeout:
        return Outcome("api", req.route, False, time.perf_counter() - t0, "timeout")
    except requests.RequestException as exc:
        return Outcome("api", req.route, False, time.perf_counter() - t0, "transport",
                       detail=repr(exc)[:300])
    dt = time.perf_counter() - t0
    try:
        data = r.json()
    except ValueError:
        data = None
    if r.status_code == 200:
        shaped = well_shaped(data)
        return Outcome("api", req.route, shaped, dt, "200",
                       detail="" if shaped else "unexpected body")
    err = data.get("error") if isinstance(data, dict) else None
    clean = (r.status_code == 503 and isinstance(err, dict) and err.get("type") == "server_busy"
             and r.headers.get("Retry-After", "").isdigit())
    return Outcome("api", req.route, False, dt, str(r.status_code), clean,
                   detail=r.text[:300])


def gradio_client(url: str, timeout_s: float) -> Any:
    from gradio_client import Client

    # httpx's default 5 s would cut a queue join short on a busy 2-core box; a request
    # that really hangs is still caught by the job's own `timeout_s`
    return Client(url + "/", verbose=False, analytics_enabled=False, download_files=False,
                  httpx_kwargs={"timeout": timeout_s})


def gradio_call(client: Any, req: Request, timeout_s: float) -> Outcome:
    from gradio_client.exceptions import AppError
    from gradio_client.utils import QueueError

    t0 = time.perf_counter()
    try:
        if req.route == "ask":
            job = client.submit(req.text, None, api_name="/ask")
        else:
            job = client.submit(req.text, api_name="/check")
        data = job.result(timeout=timeout_s)
    except QueueError as exc:
        return Outcome("gradio", req.route, False, time.perf_counter() - t0, "QueueError",
                       True, str(exc)[:300])
    except AppError as exc:  # gr.Error: the engine's own message (busy, bad input)
        busy = "busy" in str(exc)
        return Outcome("gradio", req.route, False, time.perf_counter() - t0, "AppError",
                       busy, str(exc)[:300])
    except TimeoutError:
        return Outcome("gradio", req.route, False, time.perf_counter() - t0, "timeout")
    except Exception as exc:  # anything else is an error to report, not to hide
        return Outcome("gradio", req.route, False, time.perf_counter() - t0,
                       type(exc).__name__, detail=str(exc)[:300])
    shaped = well_shaped(data)
    return Outcome("gradio", req.route, shaped, time.perf_counter() - t0, "200",
                   detail="" if shaped else f"unexpected result {str(data)[:200]}")


class User:
    """One simulated user: an HTTP session or a gradio_client, and the call that goes with it."""

    def __init__(self, kind: str, url: str, timeout_s: float) -> None:
        import requests

        self.kind, self.url, self.timeout_s = kind, url, timeout_s
        self.session = requests.Session() if kind == "api" else None
        self.client = gradio_client(url, timeout_s) if kind == "gradio" else None

    def call(self, req: Request) -> Outcome:
        if self.kind == "api":
            return api_call(self.session, self.url, req, self.timeout_s)
        return gradio_call(self.client, req, self.timeout_s)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


def run_users(url: str, requests_: list[Request], cfg: LoadConfig,
              round_no: int = 0) -> tuple[list[Outcome], float]:
    """`api_users` + `gradio_users` threads, `requests_per_user` requests each, all at once.
    Each user walks its own stretch of the workload; each round starts further on, so the
    rounds ask different things (caches keyed by the question cannot hide growth)."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    n_users = cfg.api_users + cfg.gradio_users
    start = threading.Barrier(n_users + 1)

    def user(i: int, kind: str) -> None:
        u = User(kind, url, cfg.timeout_s)
        start.wait()
        for j in range(cfg.requests_per_user):
            k = (round_no * n_users + i) * cfg.requests_per_user + j
            out = u.call(requests_[k % len(requests_)])
            with lock:
                outcomes.append(out)
        u.close()

    threads = [threading.Thread(target=user, args=(i, "api")) for i in range(cfg.api_users)]
    threads += [threading.Thread(target=user, args=(cfg.api_users + i, "gradio"))
                for i in range(cfg.gradio_users)]
    for t in threads:
        t.start()
    start.wait()  # every client is connected: the clock starts now
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return outcomes, time.perf_counter() - t0


def baseline(url: str, requests_: list[Request], cfg: LoadConfig) -> list[Outcome]:
    step = max(1, len(requests_) // cfg.baseline_requests)
    sample = requests_[::step][:cfg.baseline_requests]
    out: list[Outcome] = []
    for kind in ("api", "gradio"):
        u = User(kind, url, cfg.timeout_s)
        out += [u.call(r) for r in sample]
        u.close()
    return out


@dataclass
class FloodResult:
    client: str
    sent: int
    ok: int
    refused_clean: int
    statuses: dict[str, int] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)  # status: detail of anything else
    slowest_s: float = 0.0
    healthz_status: str = ""
    healthz_s: float = 0.0
    in_flight_at_healthz: int = 0  # flood requests not yet answered when /healthz was asked
    raw_joins: list[tuple[int, str]] = field(default_factory=list)  # gradio: (status, Retry-After)
    recovered: bool = False
    recovery_s: float = 0.0


def raw_joins(url: str, req: Request, until: Callable[[], bool], timeout_s: float,
              tries: int = 30) -> list[tuple[int, str]]:
    """Join Gradio's queue over plain HTTP, as a browser does, while it is flooded, until
    one join is refused (or `until()`): the status and Retry-After a client that is not
    gradio_client sees. Joins it gets in run unobserved."""
    import uuid

    import requests

    deps = requests.get(f"{url}/config", timeout=timeout_s).json()["dependencies"]
    fn = next(d.get("id", i) for i, d in enumerate(deps) if d.get("api_name") == "ask")
    out: list[tuple[int, str]] = []
    while len(out) < tries and not until() and not any(s == 503 for s, _ in out):
        r = requests.post(f"{url}/gradio_api/queue/join", timeout=timeout_s, json={
            "data": [req.text, None], "fn_index": fn, "session_hash": uuid.uuid4().hex[:10],
            "event_data": None, "trigger_id": None})
        out.append((r.status_code, r.headers.get("Retry-After", "")))
        time.sleep(0.02)
    return out


def flood_request() -> Request:
    """The flood's request: one paragraph of 20 of the suite's claims for the check
    route, so each engine call takes many answers' time and the flood exceeds the bound
    however fast one answer is (with a single quick question, a quiet machine answered
    all 56 flood requests as they arrived and nothing was refused: a flaky test)."""
    claims = [r.text for r in workload(per_group=20) if r.kind == "claim" and r.route == "ask"]
    return Request("en", "claim", "check", " ".join(claims[:20]))


def flood(url: str, kind: str, req: Request, cfg: LoadConfig) -> FloodResult:
    """`flood_size` identical requests released at once, `/healthz` probed while they are
    in flight, then one request after they have all finished (recovery)."""
    import requests

    n = cfg.flood_size
    start = threading.Barrier(n + 1)
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def one() -> None:
        u = User(kind, url, cfg.timeout_s)
        start.wait()
        out = u.call(req)
        with lock:
            outcomes.append(out)
        u.close()

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    start.wait()
    time.sleep(0.02)  # the flood is on its way
    with lock:
        in_flight = n - len(outcomes)
    t0 = time.perf_counter()
    try:
        h = requests.get(f"{url}/healthz", timeout=cfg.timeout_s)
        health = str(h.status_code)
    except requests.RequestException as exc:
        health = type(exc).__name__
    health_s = time.perf_counter() - t0
    joins = (raw_joins(url, req, lambda: not any(t.is_alive() for t in threads),
                       cfg.timeout_s) if kind == "gradio" else [])
    for t in threads:
        t.join()
    res = FloodResult(kind, n, sum(o.ok for o in outcomes),
                      sum(o.clean_refusal for o in outcomes), _statuses(outcomes),
                      [f"{o.status}: {o.detail}" for o in outcomes
                       if not o.ok and not o.clean_refusal],
                      round(max(o.latency_s for o in outcomes), 3), health,
                      round(health_s, 3), in_flight, joins)
    t0 = time.perf_counter()
    if kind == "api":
        after = api_call(requests.Session(), url, req, cfg.timeout_s)
    else:
        client = gradio_client(url, cfg.timeout_s)
        after = gradio_call(client, req, cfg.timeout_s)
        client.close()
    res.recovered, res.recovery_s = after.ok, round(time.perf_counter() - t0, 3)
    return res


# --- the whole run --------------------------------------------------------------------------

def summarize(outcomes: list[Outcome], client: str) -> dict[str, Any]:
    mine = [o for o in outcomes if o.client == client]
    lat = [o.latency_s * 1000 for o in mine if o.ok]
    return {"requests": len(mine), "errors": sum(not o.ok for o in mine),
            "p50_ms": round(pct(lat, 50), 1), "p95_ms": round(pct(lat, 95), 1),
            "error_samples": sorted({f"{o.status}: {o.detail}" for o in mine if not o.ok})[:5]}


def run(cfg: LoadConfig, work_dir: Path, progress: Callable[[str], None] = print,
        data: Path | None = None) -> dict[str, Any]:
    """The whole run; `data`: an index of seeds/ to serve (default: ingest one here)."""
    if data is None:
        data = work_dir / "data"
        t0 = time.perf_counter()
        ingest(data)
        progress(f"ingested seeds/ in {time.perf_counter() - t0:.1f}s")
    reqs = workload(cfg.per_group)
    server = Server(data, cfg.concurrency, cfg.max_queue, work_dir / "server.log")
    try:
        ready_s = server.wait_ready()
        progress(f"server up in {ready_s:.1f}s at {server.url} (pid {server.proc.pid})")
        rss_start = server.rss()
        base = baseline(server.url, reqs, cfg)
        base_rows = {k: summarize(base, k) for k in ("api", "gradio")}
        progress(f"baseline: {base_rows}")
        rounds: list[dict[str, Any]] = []
        for r in range(cfg.rounds):
            outcomes, wall = run_users(server.url, reqs, cfg, round_no=r)
            time.sleep(1.0)  # let in-flight cleanup finish before reading RSS
            row = {"round": r + 1, "wall_s": round(wall, 2),
                   "throughput_rps": round(len(outcomes) / wall, 2),
                   "rss_after_mb": round(server.rss() / MB, 1),
                   **{k: summarize(outcomes, k) for k in ("api", "gradio")}}
            rounds.append(row)
            progress(f"round {r + 1}: {row}")
        probe = flood_request()
        floods = [flood(server.url, kind, probe, cfg) for kind in ("api", "gradio")]
        for f in floods:
            progress(f"flood: {asdict(f)}")
        rss_after = [r["rss_after_mb"] for r in rounds]
        result = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cpus, "
                       f"python {platform.python_version()}, load {os.getloadavg()[0]:.2f}",
            "config": {**asdict(cfg), "flood_size": cfg.flood_size},
            "workload": {"distinct_requests": len(reqs),
                         "by_lang_kind_route": _count(reqs)},
            "server_ready_s": round(ready_s, 2),
            "rss_start_mb": round(rss_start / MB, 1),
            "baseline": base_rows,
            "rounds": rounds,
            "rss_growth_mb": round(rss_after[-1] - rss_after[0], 1),
            "rss_growth_per_round_mb": round((rss_after[-1] - rss_after[0])
                                             / max(len(rss_after) - 1, 1), 1),
            "peak_rss_mb": round(server.peak_rss() / MB, 1),
            "floods": [asdict(f) for f in floods],
        }
    finally:
        server.stop()
    return result


def _statuses(outcomes: list[Outcome]) -> dict[str, int]:
    out: dict[str, int] = {}
    for o in outcomes:
        out[o.status] = out.get(o.status, 0) + 1
    return out


def _count(reqs: list[Request]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in reqs:
        key = f"{r.lang}/{r.kind}/{r.route}"
        out[key] = out.get(key, 0) + 1
    return out


def table(result: dict[str, Any]) -> str:
    lines = [f"{'phase':18s} {'client':7s} {'reqs':>5s} {'errs':>5s} {'p50 ms':>8s} "
             f"{'p95 ms':>8s} {'p50 x':>6s} {'p95 x':>6s} {'req/s':>6s} {'RSS MB':>7s}"]
    base = result["baseline"]
    for kind in ("api", "gradio"):
        b = base[kind]
        lines.append(f"{'baseline (1 user)':18s} {kind:7s} {b['requests']:5d} {b['errors']:5d} "
                     f"{b['p50_ms']:8.1f} {b['p95_ms']:8.1f} {1.0:6.2f} {1.0:6.2f}")
    for r in result["rounds"]:
        for kind in ("api", "gradio"):
            s, b = r[kind], base[kind]
            lines.append(
                f"{'round ' + str(r['round']):18s} {kind:7s} {s['requests']:5d} "
                f"{s['errors']:5d} {s['p50_ms']:8.1f} {s['p95_ms']:8.1f} "
                f"{s['p50_ms'] / b['p50_ms']:6.2f} {s['p95_ms'] / b['p95_ms']:6.2f} "
                + (f"{r['throughput_rps']:6.2f} {r['rss_after_mb']:7.1f}" if kind == "api"
                   else ""))
    lines.append(f"peak RSS {result['peak_rss_mb']} MB (start {result['rss_start_mb']} MB); "
                 f"RSS growth round 1 -> {len(result['rounds'])}: {result['rss_growth_mb']} MB "
                 f"({result['rss_growth_per_round_mb']} MB/round)")
    for f in result["floods"]:
        lines.append(f"queue-full {f['client']:6s}: {f['sent']} at once -> {f['ok']} answered, "
                     f"{f['refused_clean']} refused cleanly {f['statuses']}, "
                     f"{len(f['other'])} other; slowest {f['slowest_s']:.1f}s; /healthz with "
                     f"{f['in_flight_at_healthz']} in flight: {f['healthz_status']} in "
                     f"{f['healthz_s']:.2f}s; recovered {f['recovered']} "
                     f"({f['recovery_s']:.2f}s)"
                     + (f"; raw queue joins (status, Retry-After): {f['raw_joins']}"
                        if f["raw_joins"] else ""))
    return "\n".join(lines)


@contextlib.contextmanager
def work_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="factcheck-load-") as d:
        yield Path(d)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=20, help="users per client kind")
    ap.add_argument("--requests", type=int, default=5, help="requests per user per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--max-queue", type=int, default=32)
    ap.add_argument("--flood", type=int, default=0,
                    help="simultaneous requests in the queue-full phase (default 2*(c+q)+10)")
    args = ap.parse_args()
    cfg = LoadConfig(api_users=args.users, gradio_users=args.users,
                     requests_per_user=args.requests, rounds=args.rounds,
                     concurrency=args.concurrency, max_queue=args.max_queue, flood=args.flood)
    with work_dir() as d:
        result = run(cfg, d, progress=lambda s: print(s, file=sys.stderr, flush=True))
    print(table(result))
    out = ROOT / "bench" / "results" / "load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
