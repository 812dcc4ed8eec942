"""Live-delivery benchmark: N buyer and M agent WebSockets through the real crossdesk server on loopback,
compared with a bare WebSocket broadcast server (bench/bare_server.py) driven the same way in the same run.

Every buyer first sends one priming message (it opens the conversation, a costlier path), then an open-loop
scheduler sends buyer messages at a fixed aggregate rate, round-robin over the buyers, each
`send` carrying a unique client_id and its send time (CLOCK_MONOTONIC ns, comparable across processes on one
host) in the body. Latency = the time each AGENT socket receives the `message.created` event minus that send
time. Messages sent during the warm-up are delivered but not measured. After the last send the bench waits
up to --grace seconds; a measured message that was acked but did not reach every agent socket by then is lost.

The clients run in --client-procs worker processes (uvloop when installed); the servers are separate
processes, one after the other, each on a free loopback port. The last line printed is a machine-readable
summary:
  sockets=1000 rate=500 p50_ms=.. p99_ms=.. bare_p50_ms=.. bare_p99_ms=.. ratio=.. delivered=.. lost=..
(ratio = crossdesk p99 / bare p99; delivered and lost are crossdesk's measured messages).

    python bench/realtime.py                 # 990 buyers + 10 agents, 500 msg/s, 3 s warm-up + 20 s
    python bench/realtime.py --quick         # 95 + 5 sockets, 100 msg/s, 2 s + 5 s: a smoke run
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import gc
import multiprocessing as mp
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

import httpx
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))  # a checkout without `pip install -e .` still works

from crossdesk.testing import ServerProcess, free_port  # noqa: E402

AGENT_LOGINS = ("liwei@demo.shop", "chenjing@demo.shop", "admin@demo.shop")
DEMO_PASSWORD = "demo-password"
SESSION_COOKIE = "crossdesk_session"
MS = 1_000_000


# --- what a worker process is told and what it reports ------------------------------------------------
@dataclass
class WorkerSpec:
    index: int
    procs: int
    ws_url: str
    bare: bool
    buyer_tokens: list[str]  # for the bare server: placeholders, one per buyer of this worker
    agent_cookies: list[str]
    rate: float
    warmup_s: float
    duration_s: float
    grace_s: float
    total_messages: int
    total_agents: int
    connect_concurrency: int
    deflate: bool
    setup_timeout_s: float
    prime: bool = True


@dataclass
class WorkerResult:
    index: int
    latencies_ns: list[int] = field(default_factory=list)  # agent deliveries of measured messages
    ack_ns: list[int] = field(default_factory=list)  # send -> ack at the buyer, measured messages
    deliveries: bytes = b""  # array('H'): per message, how many of this worker's agent sockets got it
    acked: bytes = b""  # per message sent by this worker: 1 when acked
    errored: bytes = b""  # per message sent by this worker: 1 when answered with an error frame
    sent: int = 0
    sent_measured: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    sockets_opened: int = 0
    closed_during_run: int = 0
    close_codes: dict[str, int] = field(default_factory=dict)
    open_at_end: int = 0
    frames_in: int = 0
    acks_in_window: int = 0  # acks (of any message) received during the measured window: server throughput
    sched_lag_ns: list[int] = field(default_factory=list)
    loop_lag_ns: list[int] = field(default_factory=list)
    cpu_s: float = 0.0
    window_s: float = 0.0
    setup_s: float = 0.0
    prime_s: float = 0.0
    failure: str = ""


def _body(k: int, t_ns: int) -> str:
    return f"bench {k} {t_ns}"


class Worker:
    """One client process: its share of agent and buyer sockets, and the sends of its buyers."""

    def __init__(self, spec: WorkerSpec) -> None:
        self.spec = spec
        self.res = WorkerResult(spec.index)
        n = spec.total_messages
        self.deliveries = array.array("H", bytes(2 * n))
        self.acked = bytearray(n)
        self.errored = bytearray(n)
        self.first_measured = int(spec.warmup_s * spec.rate)
        self.interval_ns = int(1e9 / spec.rate)
        self.agents: list[Any] = []
        self.buyers: list[Any] = []
        self.conversation: list[int | None] = []
        self.primed: list[asyncio.Event] = []
        self.send_ns = array.array("q", bytes(8 * n))
        self.in_run = False
        self.window = (0, 0)  # the measured window, monotonic ns
        self.seen: list[set[int]] = []
        self.local_agents = len(spec.agent_cookies)

    # -- connections ---------------------------------------------------------------------------------
    async def _connect(self, headers: dict[str, str], hello: dict[str, Any]) -> Any:
        from websockets.asyncio.client import connect

        ws = await connect(
            self.spec.ws_url,
            additional_headers=headers,
            compression="deflate" if self.spec.deflate else None,
            ping_interval=None,
            open_timeout=30,
            close_timeout=2,
            proxy=None,
            max_queue=64,
        )
        await ws.send(orjson.dumps(hello).decode())
        while True:
            raw = await asyncio.wait_for(ws.recv(), 30)
            if raw == '{"type":"ready"}' or orjson.loads(raw).get("type") == "ready":
                return ws

    async def setup(self) -> None:
        spec = self.spec
        gate = asyncio.Semaphore(spec.connect_concurrency)

        async def one(headers: dict[str, str], hello: dict[str, Any]) -> Any:
            async with gate:
                return await self._connect(headers, hello)

        # Agents first, so every agent socket is registered before the first buyer can send.
        self.agents = await asyncio.gather(
            *(
                one({"Cookie": f"{SESSION_COOKIE}={cookie}"}, {"type": "hello", "role": "agent"})
                for cookie in spec.agent_cookies
            )
        )
        self.buyers = await asyncio.gather(
            *(
                one(
                    {}, {"type": "hello", "role": "buyer"} if spec.bare else {"type": "hello", "token": token}
                )
                for token in spec.buyer_tokens
            )
        )
        self.res.sockets_opened = len(self.agents) + len(self.buyers)
        self.conversation = [None] * len(self.buyers)
        self.primed = [asyncio.Event() for _ in self.buyers]
        self.seen = [set() for _ in self.agents]

    # -- readers -------------------------------------------------------------------------------------
    def _closed(self, ws: Any) -> None:
        if self.in_run:
            self.res.closed_during_run += 1
            code = str(ws.close_code)
            self.res.close_codes[code] = self.res.close_codes.get(code, 0) + 1

    async def agent_reader(self, i: int, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        res, deliveries, seen = self.res, self.deliveries, self.seen[i]
        first, latencies = self.first_measured, res.latencies_ns
        clock, loads = time.monotonic_ns, orjson.loads
        try:
            async for raw in ws:
                now = clock()
                res.frames_in += 1
                frame = loads(raw)
                if frame.get("event") == "message.created":
                    body = frame["data"]["body"]
                    if body.startswith("bench "):
                        _, k_s, t_s = body.split(" ")
                        k = int(k_s)
                        if k in seen:
                            res.duplicates += 1
                            continue
                        seen.add(k)
                        deliveries[k] += 1
                        if k >= first:
                            latencies.append(now - int(t_s))
                elif frame.get("type") == "ping":
                    await ws.send('{"type":"pong"}')
        except ConnectionClosed:
            pass
        self._closed(ws)

    async def buyer_reader(self, b: int, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        res, acked, errored, send_ns = self.res, self.acked, self.errored, self.send_ns
        first, ack_ns, errors = self.first_measured, res.ack_ns, res.errors
        clock, loads = time.monotonic_ns, orjson.loads
        try:
            async for raw in ws:
                now = clock()
                res.frames_in += 1
                frame = loads(raw)
                kind = frame.get("type")
                if (
                    kind == "ack" and frame["client_id"][0] == "p"
                ):  # priming: the buyer's conversation is open
                    self.conversation[b] = frame["conversation_id"]
                    self.primed[b].set()
                    continue
                if kind == "ack":
                    k = int(frame["client_id"][1:])
                    if self.window[0] <= now < self.window[1]:
                        res.acks_in_window += 1
                    acked[k] = 1
                    self.conversation[b] = frame["conversation_id"]
                    if k >= first:
                        ack_ns.append(now - send_ns[k])
                elif kind == "error":
                    errors[frame.get("code", "?")] = errors.get(frame.get("code", "?"), 0) + 1
                    cid = frame.get("client_id")
                    if isinstance(cid, str) and cid[1:].isdigit():
                        errored[int(cid[1:])] = 1
                elif kind == "ping":
                    await ws.send('{"type":"pong"}')
        except ConnectionClosed:
            pass
        self._closed(ws)

    async def prime(self) -> None:
        """Each buyer's first message opens its conversation, which costs the server more than a later one
        (a new row and a conversation snapshot for every agent). Done before the load, a few in flight, so the
        measured window holds the steady state only."""
        gate = asyncio.Semaphore(max(1, self.spec.connect_concurrency // 2))

        async def one(b: int) -> None:
            async with gate:
                body = orjson.dumps(
                    {"type": "send", "conversation_id": None, "client_id": f"p{b}", "body": "prime"}
                ).decode()
                await self.buyers[b].send(body)
                await asyncio.wait_for(self.primed[b].wait(), 60)

        await asyncio.gather(*(one(b) for b in range(len(self.buyers))))

    async def loop_lag(self) -> None:
        """How late the client's own loop wakes up: if this is large the client, not the server, is slow."""
        while True:
            t = time.monotonic_ns()
            await asyncio.sleep(0.01)
            self.res.loop_lag_ns.append(time.monotonic_ns() - t - 10 * MS)

    # -- load ----------------------------------------------------------------------------------------
    async def send_all(self, t0_ns: int) -> None:
        spec, res = self.spec, self.res
        buyers, conv, send_ns = self.buyers, self.conversation, self.send_ns
        nb = len(buyers)
        step = spec.procs
        interval = self.interval_ns
        clock, dumps = time.monotonic_ns, orjson.dumps
        first = self.first_measured
        mine = 0
        for k in range(spec.index, spec.total_messages, step):
            due = t0_ns + k * interval
            now = clock()
            if due > now:
                await asyncio.sleep((due - now) / 1e9)
                now = clock()
            if k >= first:
                res.sched_lag_ns.append(now - due)
            b = mine % nb
            mine += 1
            send_ns[k] = now
            frame = dumps(
                {"type": "send", "conversation_id": conv[b], "client_id": f"b{k}", "body": _body(k, now)}
            ).decode()
            try:
                await buyers[b].send(frame)
            except Exception:  # a closed socket: the message is simply not acked, hence not counted
                continue
            res.sent += 1
            if k >= first:
                res.sent_measured += 1

    def _complete(self) -> bool:
        spec = self.spec
        for k in range(spec.index, spec.total_messages, spec.procs):
            if not (self.acked[k] or self.errored[k]):
                return False
        if self.local_agents == 0:
            return True
        if spec.procs == 1:  # refused messages are never delivered
            return all(
                d >= self.local_agents or e for d, e in zip(self.deliveries, self.errored, strict=True)
            )
        return all(d >= self.local_agents for d in self.deliveries)

    async def run(self, pipe: Pipe) -> None:
        spec = self.spec
        t_setup = time.monotonic()
        await asyncio.wait_for(self.setup(), spec.setup_timeout_s)
        self.res.setup_s = time.monotonic() - t_setup
        readers = [asyncio.create_task(self.agent_reader(i, ws)) for i, ws in enumerate(self.agents)]
        readers += [asyncio.create_task(self.buyer_reader(b, ws)) for b, ws in enumerate(self.buyers)]
        if spec.prime:
            t_prime = time.monotonic()
            await asyncio.wait_for(self.prime(), spec.setup_timeout_s)
            self.res.prime_s = time.monotonic() - t_prime
            await asyncio.sleep(0.5)  # let the agents' copies of the priming messages drain
        # A full collection over 1,000 connections' objects stalls the client's loop for 100+ ms, which would
        # be charged to the server: keep setup's objects out of the collector, collect nothing during the run.
        gc.collect()
        gc.freeze()
        gc.disable()
        pipe.send(("ready", self.res.sockets_opened))
        t0_ns = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        start = t0_ns + int(spec.warmup_s * 1e9)
        self.window = (start, start + int(spec.duration_s * 1e9))
        lag_task = asyncio.create_task(self.loop_lag())
        self.in_run = True
        cpu0, wall0 = _cpu_self(), time.monotonic()
        await self.send_all(t0_ns)
        # Grace: stop early once everything this worker can see has arrived. With several workers, 2 s of
        # quiet also ends it: another worker's refused messages never reach this worker's agents.
        deadline = time.monotonic() + spec.grace_s
        last, quiet_since = -1, time.monotonic()
        while time.monotonic() < deadline and not self._complete():
            await asyncio.sleep(0.05)
            total = sum(self.deliveries) + sum(self.acked)
            if total != last:
                last, quiet_since = total, time.monotonic()
            elif time.monotonic() - quiet_since > 2.0 and spec.procs > 1:
                break
        self.res.window_s = time.monotonic() - wall0
        self.res.cpu_s = _cpu_self() - cpu0
        self.res.open_at_end = sum(1 for ws in (*self.agents, *self.buyers) if ws.close_code is None)
        self.in_run = False
        gc.enable()
        lag_task.cancel()
        self.res.deliveries = self.deliveries.tobytes()
        self.res.acked = bytes(self.acked)
        self.res.errored = bytes(self.errored)
        await asyncio.gather(*(ws.close() for ws in (*self.agents, *self.buyers)), return_exceptions=True)
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


def _cpu_self() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _worker_main(spec: WorkerSpec, pipe: Pipe, use_uvloop: bool) -> None:
    raise_nofile(len(spec.buyer_tokens) + len(spec.agent_cookies) + 256)
    worker = Worker(spec)
    try:
        if use_uvloop:
            import uvloop

            uvloop.run(worker.run(pipe))
        else:
            asyncio.run(worker.run(pipe))
    except BaseException as exc:  # report it; the parent prints it and cleans up
        worker.res.failure = f"{type(exc).__name__}: {exc}"
    pipe.send(("result", worker.res))
    pipe.close()


# --- the parent: servers, credentials, workers, figures ------------------------------------------------
def raise_nofile(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(needed, 4096)
    if soft < want:
        new = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        if new < needed:
            raise SystemExit(f"need {needed} open files but the hard limit is {hard}")


def machine_busy_s() -> float:
    """CPU seconds all processes on this machine spent busy (from /proc/stat)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _credentials(
    base_url: str, buyers: int, agents: int, concurrency: int
) -> tuple[list[str], list[str]]:
    """Visitor tokens (POST /widget/session, bounded concurrency) and agent session cookies (one login
    each)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, trust_env=False, timeout=30) as http:
        gate = asyncio.Semaphore(concurrency)

        async def token() -> str:
            async with gate:
                r = await http.post("/api/v1/widget/session", json={"shop": "demo"})
                r.raise_for_status()
                return str(r.json()["token"])

        async def cookie(email: str) -> str:
            async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=30) as one:
                r = await one.post("/api/v1/auth/login", json={"email": email, "password": DEMO_PASSWORD})
                r.raise_for_status()
                return str(r.cookies[SESSION_COOKIE])

        logins = AGENT_LOGINS[: max(1, min(agents, len(AGENT_LOGINS)))]
        cookies = await asyncio.gather(*(cookie(e) for e in logins))
        tokens = await asyncio.gather(*(token() for _ in range(buyers)))
    # Several sockets per agent are fine (an agent with a few tabs open).
    return list(tokens), [cookies[i % len(cookies)] for i in range(agents)]


@dataclass
class RunFigures:
    name: str
    sockets: int
    sent: int = 0
    acked: int = 0
    errored: int = 0
    unacked: int = 0  # measured, sent, neither acked nor refused by the end of the grace period
    delivered: int = 0  # measured messages that reached every agent socket
    lost: int = 0  # measured, acked, and missing at one agent socket or more
    agent_frames: int = 0
    latencies_ns: list[int] = field(default_factory=list)
    ack_ns: list[int] = field(default_factory=list)
    sched_lag_ns: list[int] = field(default_factory=list)
    loop_lag_ns: list[int] = field(default_factory=list)
    window_s: float = 0.0
    measured_s: float = 0.0
    client_cpu_pct: list[float] = field(default_factory=list)
    server_cpu_pct: float = 0.0
    other_cpu_pct: float = 0.0  # everything else on the machine during the measured window
    loadavg: float = 0.0
    opened: int = 0
    closed_during_run: int = 0
    close_codes: Counter[str] = field(default_factory=Counter)
    open_at_end: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    setup_s: float = 0.0
    prime_s: float = 0.0
    frames_in: int = 0
    acks_in_window: int = 0


def drive(
    args: argparse.Namespace,
    name: str,
    ws_url: str,
    server_pid: int,
    tokens: list[str],
    cookies: list[str],
    profile: bool = False,
) -> RunFigures:
    """Spread the sockets over the worker processes, start the load at one instant, merge what they saw."""
    procs = args.client_procs
    total = int(args.rate * (args.warmup + args.duration))
    ctx = mp.get_context("spawn")
    workers: list[tuple[Any, Pipe]] = []
    profiler: subprocess.Popen[bytes] | None = None
    figures = RunFigures(name, len(tokens) + len(cookies))
    try:
        for i in range(procs):
            spec = WorkerSpec(
                index=i,
                procs=procs,
                ws_url=ws_url,
                bare=name == "bare",
                buyer_tokens=tokens[i::procs],
                agent_cookies=cookies[i::procs],
                rate=args.rate,
                warmup_s=args.warmup,
                duration_s=args.duration,
                grace_s=args.grace,
                total_messages=total,
                total_agents=len(cookies),
                connect_concurrency=max(1, args.connect_concurrency // procs),
                deflate=args.deflate,
                setup_timeout_s=args.setup_timeout,
                prime=args.prime,
            )
            parent_end, child_end = ctx.Pipe()
            p = ctx.Process(target=_worker_main, args=(spec, child_end, not args.no_uvloop), daemon=True)
            p.start()
            child_end.close()
            workers.append((p, parent_end))
        results: list[WorkerResult] = []
        for _, pipe in workers:
            if not pipe.poll(args.setup_timeout + 10):
                raise TimeoutError("a client worker did not finish connecting")
            kind, payload = pipe.recv()
            if kind == "result":  # failed during setup
                raise RuntimeError(f"client worker failed during setup: {payload.failure}")
        if profile:  # only the load, not the setup
            profiler = start_profiler(args, server_pid)
        t0_ns = time.monotonic_ns() + 200 * MS  # a common start, a moment from now
        server_cpu0, wall0 = proc_cpu_s(server_pid), time.monotonic()
        for _, pipe in workers:
            pipe.send(t0_ns)
        # The measured window for the server's CPU: from the end of the warm-up to the last send.
        time.sleep(0.2 + args.warmup)
        server_cpu1, busy1, wall1 = proc_cpu_s(server_pid), machine_busy_s(), time.monotonic()
        client_cpu1 = sum(proc_cpu_s(p.pid) for p, _ in workers)
        time.sleep(max(0.0, args.duration - 0.05))
        server_cpu2, busy2, wall2 = proc_cpu_s(server_pid), machine_busy_s(), time.monotonic()
        client_cpu2 = sum(proc_cpu_s(p.pid) for p, _ in workers)
        span = max(1e-9, wall2 - wall1)
        figures.server_cpu_pct = 100 * (server_cpu2 - server_cpu1) / span
        figures.other_cpu_pct = (
            100 * ((busy2 - busy1) - (server_cpu2 - server_cpu1) - (client_cpu2 - client_cpu1)) / span
        )
        figures.loadavg = os.getloadavg()[0]
        del server_cpu0, wall0
        for _, pipe in workers:
            if not pipe.poll(args.grace + 60):
                raise TimeoutError("a client worker did not report")
            kind, payload = pipe.recv()
            results.append(payload)
    finally:
        if profiler is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                profiler.wait(30)
            if profiler.poll() is None:
                profiler.terminate()
        for p, pipe in workers:
            p.join(10)
            if p.is_alive():
                p.terminate()
                p.join(5)
            pipe.close()
    for r in results:
        if r.failure:
            raise RuntimeError(f"client worker {r.index} failed: {r.failure}")
    # Merge: per message, sum the agent deliveries over the workers.
    deliveries = array.array("H", bytes(2 * total))
    acked = bytearray(total)
    errored = bytearray(total)
    for r in results:
        d = array.array("H")
        d.frombytes(r.deliveries)
        for k in range(total):
            deliveries[k] += d[k]
        for k in range(r.index, total, procs):
            acked[k] = r.acked[k]
            errored[k] = r.errored[k]
        figures.latencies_ns += r.latencies_ns
        figures.ack_ns += r.ack_ns
        figures.sched_lag_ns += r.sched_lag_ns
        figures.loop_lag_ns += r.loop_lag_ns
        figures.sent += r.sent_measured
        figures.errors.update(r.errors)
        figures.duplicates += r.duplicates
        figures.opened += r.sockets_opened
        figures.closed_during_run += r.closed_during_run
        figures.close_codes.update(r.close_codes)
        figures.open_at_end += r.open_at_end
        figures.frames_in += r.frames_in
        figures.acks_in_window += r.acks_in_window
        figures.client_cpu_pct.append(100 * r.cpu_s / max(1e-9, r.window_s))
        figures.window_s = max(figures.window_s, r.window_s)
        figures.setup_s = max(figures.setup_s, r.setup_s)
        figures.prime_s = max(figures.prime_s, r.prime_s)
    first = int(args.warmup * args.rate)
    n_agents = len(cookies)
    for k in range(first, total):
        if acked[k]:
            figures.acked += 1
            if deliveries[k] >= n_agents:
                figures.delivered += 1
            else:
                figures.lost += 1
        elif errored[k]:
            figures.errored += 1
        else:
            figures.unacked += 1
        figures.agent_frames += deliveries[k]
    figures.measured_s = args.duration
    return figures


def pct(values: list[int], q: float) -> float:
    """The q-quantile (nearest rank) in ms; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))
    return ordered[rank] / MS


def run_crossdesk(args: argparse.Namespace, work: Path) -> RunFigures:
    env = {
        # New visitors and logins are limited per client address: room for every bench buyer from one
        # loopback address. The per-visitor send limit stays at its default unless a buyer's share of the
        # rate comes near it.
        "CROSSDESK_ADDRESS_BURST": str(args.buyers + args.agents + 100),
        "CROSSDESK_ADDRESS_RATE_PER_S": "1000",
        "CROSSDESK_VISITOR_RATE_PER_S": str(max(1.0, 2 * args.rate / max(1, args.buyers))),
        **dict(kv.split("=", 1) for kv in args.server_env),
    }
    server = ServerProcess(work / "crossdesk", env=env)
    server.start(timeout_s=60)
    try:
        t = time.monotonic()
        tokens, cookies = asyncio.run(
            _credentials(server.base_url, args.buyers, args.agents, args.connect_concurrency)
        )
        print(
            f"crossdesk: {len(tokens)} visitor tokens, {len(set(cookies))} agent logins in "
            f"{time.monotonic() - t:.1f} s; connecting {len(tokens) + len(cookies)} sockets",
            flush=True,
        )
        assert server.proc is not None
        figures = drive(
            args, "crossdesk", server.ws_url, server.proc.pid, tokens, cookies, profile=bool(args.py_spy)
        )
        if server.proc.poll() is not None:
            raise RuntimeError(f"the crossdesk server exited during the run; see {server.log_path}")
        return figures
    finally:
        server.stop()


def start_profiler(args: argparse.Namespace, pid: int) -> subprocess.Popen[bytes]:
    """py-spy over the load (warm-up and measured window): where the server's time goes."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    out = Path(args.py_spy).resolve()
    seconds = int(args.warmup + args.duration + 1)
    print(f"profiling the server (pid {pid}) with py-spy for up to {seconds} s into {out}", flush=True)
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(seconds),
            "--rate",
            "250",
            "--nonblocking",
            "--format",
            "speedscope" if out.suffix == ".json" else "flamegraph",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


def run_bare(args: argparse.Namespace, work: Path) -> RunFigures:
    port = free_port()
    log = (work / "bare_server.log").open("ab")
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("bare_server.py")), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"bare server exited with {proc.returncode}; see {work / 'bare_server.log'}"
                )
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if time.monotonic() > deadline:
                raise TimeoutError("bare server did not start")
            time.sleep(0.05)
        print(f"bare: connecting {args.buyers + args.agents} sockets", flush=True)
        return drive(
            args, "bare", f"ws://127.0.0.1:{port}/ws", proc.pid, ["-"] * args.buyers, ["-"] * args.agents
        )
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def report(args: argparse.Namespace, runs: list[RunFigures]) -> str:
    def f(x: float) -> str:
        return "-" if x != x else f"{x:.2f}"

    rows: list[tuple[str, Callable[[RunFigures], str]]] = [
        ("sockets held / opened", lambda r: f"{r.open_at_end}/{r.opened}"),
        (
            "closed during the run",
            lambda r: f"{r.closed_during_run}" + (f" {dict(r.close_codes)}" if r.close_codes else ""),
        ),
        ("messages sent (measured)", lambda r: str(r.sent)),
        ("  acked", lambda r: str(r.acked)),
        ("  refused (error frame)", lambda r: str(r.errored) + (f" {dict(r.errors)}" if r.errors else "")),
        ("  not acked by the end of grace", lambda r: str(r.unacked)),
        ("  delivered to every agent", lambda r: str(r.delivered)),
        ("  lost (acked, not at every agent)", lambda r: str(r.lost)),
        ("messages/s delivered", lambda r: f"{r.delivered / r.measured_s:.1f}"),
        ("server throughput, acks/s in window", lambda r: f"{r.acks_in_window / r.measured_s:.1f}"),
        (
            "server CPU ms per acked message",
            lambda r: f(10 * r.server_cpu_pct * r.measured_s / max(1, r.acks_in_window)),
        ),
        ("agent frames/s (message.created)", lambda r: f"{r.agent_frames / r.measured_s:.0f}"),
        ("latency to agents p50 ms", lambda r: f(pct(r.latencies_ns, 0.50))),
        ("latency to agents p90 ms", lambda r: f(pct(r.latencies_ns, 0.90))),
        ("latency to agents p99 ms", lambda r: f(pct(r.latencies_ns, 0.99))),
        ("latency to agents p99.9 ms", lambda r: f(pct(r.latencies_ns, 0.999))),
        ("latency to agents max ms", lambda r: f(pct(r.latencies_ns, 1.0))),
        ("ack to buyer p50 / p99 ms", lambda r: f"{f(pct(r.ack_ns, 0.5))} / {f(pct(r.ack_ns, 0.99))}"),
        (
            "client send lag p99 / max ms",
            lambda r: f"{f(pct(r.sched_lag_ns, 0.99))} / {f(pct(r.sched_lag_ns, 1.0))}",
        ),
        (
            "client loop lag p99 / max ms",
            lambda r: f"{f(pct(r.loop_lag_ns, 0.99))} / {f(pct(r.loop_lag_ns, 1.0))}",
        ),
        ("client CPU % (per process)", lambda r: " ".join(f"{c:.0f}" for c in r.client_cpu_pct)),
        ("server CPU % (1 core = 100)", lambda r: f"{r.server_cpu_pct:.0f}"),
        (f"other processes CPU % ({os.cpu_count()} cores)", lambda r: f"{max(0.0, r.other_cpu_pct):.0f}"),
        ("load average (1 min) at the end", lambda r: f"{r.loadavg:.2f}"),
        ("duplicates at agents", lambda r: str(r.duplicates)),
        ("socket setup s", lambda r: f"{r.setup_s:.1f}"),
        ("priming: first message of every buyer s", lambda r: f"{r.prime_s:.1f}"),
    ]
    width = max(len(label) for label, _ in rows)
    cols = [r.name for r in runs]
    lines = [
        f"\n{args.buyers} buyers + {args.agents} agents on loopback, {args.rate:g} msg/s open loop, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s measured, grace {args.grace:g} s, "
        f"{args.client_procs} client process(es), permessage-deflate {'on' if args.deflate else 'off'}",
        f"{'':<{width}}  " + "  ".join(f"{c:>22}" for c in cols),
    ]
    for label, fn in rows:
        lines.append(f"{label:<{width}}  " + "  ".join(f"{fn(r):>22}" for r in runs))
    return "\n".join(lines)


def check_targets(args: argparse.Namespace, cd: RunFigures | None, bare: RunFigures | None) -> list[str]:
    notes = []
    if cd is not None:
        p99 = pct(cd.latencies_ns, 0.99)
        sockets = args.buyers + args.agents
        notes.append(
            f"target sockets held {sockets}: "
            f"{'ok' if cd.open_at_end == sockets and not cd.closed_during_run else 'MISSED'}"
        )
        notes.append(
            f"target p99 < 50 ms at {args.rate:g} msg/s: {'ok' if p99 < 50 else 'MISSED'} ({p99:.2f} ms)"
        )
        if bare is not None:
            ratio = p99 / pct(bare.latencies_ns, 0.99)
            notes.append(f"target <= 3x bare p99: {'ok' if ratio <= 3 else 'MISSED'} ({ratio:.2f}x)")
        notes.append(f"no lost messages: {'ok' if cd.lost == 0 else 'MISSED'} ({cd.lost})")
        if cd.unacked or cd.errored:
            notes.append(
                f"MISSED: {cd.unacked} measured messages were not acked within the grace period and "
                f"{cd.errored} were refused: the server did not keep up with the offered rate"
            )
    for r in (cd, bare):
        if r is not None and r.other_cpu_pct > 25:
            notes.append(
                f"note: other processes used {r.other_cpu_pct:.0f}% CPU during the {r.name} run; "
                "its figures are disturbed (rerun on a quiet machine)"
            )
        if r is not None and max(r.client_cpu_pct, default=0) > 85:
            notes.append(
                f"note: a {r.name} client process ran at {max(r.client_cpu_pct):.0f}% CPU; "
                "the client may be limiting the figures (try --client-procs 2)"
            )
    return notes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--buyers", type=int, default=990)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--rate", type=float, default=500.0, help="messages per second, all buyers together")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument(
        "--grace", type=float, default=5.0, help="seconds to wait for stragglers after the last send"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 95 + 5 sockets, 100 msg/s, 2 + 5 s")
    parser.add_argument("--client-procs", type=int, default=1, help="client worker processes")
    parser.add_argument(
        "--connect-concurrency", type=int, default=50, help="setup calls and handshakes in flight"
    )
    parser.add_argument("--setup-timeout", type=float, default=120.0)
    parser.add_argument(
        "--deflate",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="offer permessage-deflate, as browsers do (default: off: crossdesk declines it, so the bare"
        " server must not get it either for a like-for-like comparison)",
    )
    parser.add_argument(
        "--prime",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="open every buyer's conversation with one message before the load (default: on)",
    )
    parser.add_argument("--no-uvloop", action="store_true", help="plain asyncio loop in the clients")
    parser.add_argument("--only", choices=("both", "crossdesk", "bare"), default="both")
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="CROSSDESK_X=Y",
        help="extra environment for the crossdesk server (repeatable)",
    )
    parser.add_argument(
        "--py-spy", metavar="FILE", help="record the crossdesk server with py-spy (.svg or .json)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data dir and server logs")
    args = parser.parse_args(argv)
    if args.quick:
        args.buyers, args.agents, args.rate, args.duration, args.warmup, args.grace = (
            95,
            5,
            100.0,
            5.0,
            2.0,
            3.0,
        )
    if args.buyers < 1 or args.agents < 1 or args.rate <= 0 or args.duration <= 0 or args.client_procs < 1:
        parser.error("need at least one buyer and one agent, a positive rate and duration")
    if args.agents > 60000:
        parser.error("at most 60000 agent sockets")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_nofile(2 * (args.buyers + args.agents) + 512)  # inherited by the servers and the workers
    if not args.prime and args.warmup * args.rate < args.buyers:
        print(
            "note: the warm-up is shorter than one round over the buyers, so first messages (which also "
            "open a conversation) fall into the measured window",
            flush=True,
        )
    work = Path(tempfile.mkdtemp(prefix="crossdesk-bench-"))
    started = time.monotonic()
    cd = bare = None
    try:
        if args.only in ("both", "crossdesk"):
            cd = run_crossdesk(args, work)
        if args.only in ("both", "bare"):
            bare = run_bare(args, work)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            print(f"data and logs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    runs = [r for r in (cd, bare) if r is not None]
    print(report(args, runs))
    for note in check_targets(args, cd, bare):
        print(note)
    print(f"total bench time {time.monotonic() - started:.0f} s")
    sockets = args.buyers + args.agents

    def ms(r: RunFigures | None, q: float) -> str:
        return "nan" if r is None else f"{pct(r.latencies_ns, q):.2f}"

    ratio = (
        pct(cd.latencies_ns, 0.99) / pct(bare.latencies_ns, 0.99)
        if cd is not None and bare is not None
        else float("nan")
    )
    main_run = cd or bare
    assert main_run is not None
    print(
        f"sockets={sockets} rate={args.rate:g} p50_ms={ms(cd, 0.5)} p99_ms={ms(cd, 0.99)} "
        f"bare_p50_ms={ms(bare, 0.5)} bare_p99_ms={ms(bare, 0.99)} ratio={ratio:.2f} "
        f"delivered={main_run.delivered} lost={main_run.lost}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
