"""API benchmark: gated single-record reads and batch tokenize over HTTP, beside OpenBao.

    .venv/bin/python benchmarks/api_bench.py [--seconds 5] [--concurrency 8] [--rate 500]
        [--rounds 3] [--configs sqlite:1,sqlite:2,postgres:2]

The privault server runs in a subprocess over a fresh installation, once per
configuration (``--configs``, store:workers): on SQLite as one process and
as ``--workers`` processes, and, when a PostgreSQL server is reachable
(``PRIVAULT_TEST_PG_URL``; ``make bench`` starts a durable one through
scripts/with-postgres.sh), on PostgreSQL. Several workers run the way
``privault serve --workers`` runs them: worker processes behind one port,
the rule evaluator in the supervisor. The load generator runs here
(benchmarks/_http.py: a lean asyncio keep-alive client, so on 2 cores the
client's CPU does not crowd out the server's). In the same run an OpenBao dev
server answers transit decrypt (single value) and batch encrypt over HTTP on
the same machine, through the same client. Writes benchmarks/results/api.json.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _common import ROOT, write_results
from _http import Client, HttpError

PASSPHRASE = "bench passphrase, not secret"
PG_ENV = "PRIVAULT_TEST_PG_URL"  # an admin URL; scripts/with-postgres.sh sets it
BATCH = 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settings(data: Path, urls: dict[str, str] | None = None) -> Any:
    from privault.core.settings import Settings

    return Settings(data_dir=data, kdf_memory_kib=8192, kdf_iterations=1, **(urls or {}))


def _pg_urls(admin_url: str) -> dict[str, str]:
    """Fresh data and key-store databases on the PostgreSQL server at ``admin_url``."""
    import secrets

    from tests.conftest import create_pg_database

    tag = secrets.token_hex(4)
    return {
        "database_url": create_pg_database(admin_url, f"bench_data_{tag}"),
        "keystore_url": create_pg_database(admin_url, f"bench_keys_{tag}"),
    }


def _env(data: Path, urls: dict[str, str]) -> dict[str, str]:
    """The environment a server over this installation runs with."""
    from privault.interfaces.api.workers import CONFIG_ENV, config_env

    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVAULT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        PRIVAULT_DATA_DIR=str(data),
        PRIVAULT_PASSPHRASE=PASSPHRASE,
        PRIVAULT_KDF_MEMORY_KIB="8192",
        PRIVAULT_KDF_ITERATIONS="1",
        **{f"PRIVAULT_{k.upper()}": v for k, v in urls.items()},
    )
    env[CONFIG_ENV] = config_env(_limits(), web=False)
    return env


def _limits() -> Any:
    from privault.interfaces.api import ApiConfig

    return ApiConfig(key_rate=1e9, key_burst=10**9, address_rate=1e9, address_burst=10**9)


def prepare(data: Path, records: int, urls: dict[str, str] | None = None) -> dict[str, Any]:
    """A fresh installation with one tenant, records, and two API keys."""
    from datetime import UTC, datetime

    from privault.app.bootstrap import init_platform
    from privault.core.context import Principal, RequestContext
    from privault.core.secret import Secret
    from tests.support.data import CUSTOMER_SCHEMA, customer

    p = init_platform(_settings(data, urls), Secret(PASSPHRASE))
    ctx = RequestContext(Principal("user:bench", frozenset({"owner"}), mfa_at=datetime.now(UTC)))
    p.tenants.create(ctx, "acme")
    p.tenants.apply_schema(ctx, "acme", CUSTOMER_SCHEMA)
    ids = p.vault.put_many(ctx, "acme", "customer", [customer(i) for i in range(records)])
    p.identity.add_user(ctx, "bench")
    p.access.grant(ctx, "bench", "technician")
    _k, key = p.identity.create_api_key(ctx, "bench", "bench", scopes=["record.*", "token.*"])
    p.close()
    return {"ids": ids, "key": key.reveal()}


def serve(port: int, workers: int) -> None:
    """The server process: the installation in the environment, as ``privault serve`` runs it.

    One worker: the app over an open platform in this process (SQLite). More:
    worker processes started as ``privault serve --workers`` starts them
    (PostgreSQL).
    """
    import uvicorn

    from privault.app.bootstrap import open_platform
    from privault.core.settings import load_settings
    from privault.interfaces.api import create_app

    run = {"log_level": "warning", "access_log": False}
    platform = open_platform(load_settings())
    platform.monitor.start_background()  # as `privault serve` does: here, or in the supervisor
    if workers > 1:
        from privault.interfaces.api.workers import serve_workers

        serve_workers(workers, "127.0.0.1", port, **run)
    else:
        app = create_app(platform, _limits(), web=False)
        uvicorn.run(app, host="127.0.0.1", port=port, **run)
    platform.close()


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """The load generator does not stop to collect garbage while it times requests.

    A full collection in this process takes 100-200 ms once enough objects
    pile up: every request in flight would show it as server latency.
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def closed_loop(
    call: Callable[[int], Awaitable[None]], concurrency: int, seconds: float
) -> dict[str, Any]:
    """``concurrency`` workers calling back to back: rps, p50, p99."""
    with _no_gc_pauses():
        return await _closed_loop(call, concurrency, seconds)


async def _closed_loop(
    call: Callable[[int], Awaitable[None]], concurrency: int, seconds: float
) -> dict[str, Any]:
    lat: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker(w: int) -> None:
        i = w
        while time.perf_counter() < stop:
            t = time.perf_counter()
            await call(i)
            lat.append(time.perf_counter() - t)
            i += concurrency

    start = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return _figures(lat, time.perf_counter() - start)


async def paced(
    call: Callable[[int], Awaitable[None]], rate: float, seconds: float
) -> dict[str, Any]:
    """Open loop at ``rate`` req/s; latency counts from the scheduled start (queueing included)."""
    with _no_gc_pauses():
        return await _paced(call, rate, seconds)


async def _paced(
    call: Callable[[int], Awaitable[None]], rate: float, seconds: float
) -> dict[str, Any]:
    lat: list[float] = []
    failed: list[str] = []
    start = time.perf_counter()

    async def one(i: int, due: float) -> None:
        try:
            await call(i)
        except HttpError as exc:  # an overloaded server drops or refuses: count it
            failed.append(type(exc).__name__)
            return
        lat.append(time.perf_counter() - due)

    tasks = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    figures = _figures(lat, time.perf_counter() - start)
    figures["failed"] = len(failed)
    return figures


def _figures(lat: list[float], elapsed: float) -> dict[str, Any]:
    lat.sort()
    q = statistics.quantiles(lat, n=100)
    return {
        "requests": len(lat),
        "rps": round(len(lat) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
    }


async def privault_runs(
    url: str, setup: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    ids, headers = setup["ids"], {"Authorization": f"Bearer {setup['key']}"}
    c = Client(url, headers, connections=256)
    try:

        async def read(i: int) -> None:
            await c.get(
                f"/api/v1/tenants/acme/records/{ids[i % len(ids)]}", params={"purpose": "bench"}
            )

        await closed_loop(read, args.concurrency, 1.0)  # warm-up
        single = await closed_loop(read, args.concurrency, args.seconds)
        # The machine is shared and noisy: several paced rounds, the median
        # round (by p99) reported, every round kept in the JSON.
        rounds = [await paced(read, args.rate, args.seconds) for _ in range(args.rounds)]
        at_rate = {
            **sorted(rounds, key=lambda r: r["p99_ms"])[len(rounds) // 2],
            "rounds": rounds,
        }
        values = [f"person{i}@example.test" for i in range(BATCH)]

        async def tokenize(_i: int) -> None:
            body = {"values": values, "scope": "bench", "kind": "deterministic"}
            await c.post("/api/v1/tenants/acme/tokens/tokenize", body)

        batch = await closed_loop(tokenize, 2, args.seconds)
    finally:
        await c.aclose()
    return {"single": single, "at_rate": at_rate, "batch": batch}


async def openbao_runs(args: argparse.Namespace) -> dict[str, Any]:
    from privault.crypto.providers.vault_transit import VaultTransitKeyProvider
    from tests.support.openbao import openbao_dev_server

    with openbao_dev_server() as bao:
        provider = VaultTransitKeyProvider.from_settings(bao.addr, bao.token, "transit", "bench")
        ref = provider.create_version(1)
        context = {"bench": "1"}
        blob = provider.batch_encrypt([b"person1@example.test"], context, key_ref=ref)[0].decode()
        aad = base64.b64encode(b'{"bench":"1"}').decode()
        headers = {"X-Vault-Token": bao.token.reveal()}
        c = Client(bao.addr, headers, connections=256)

        async def decrypt(_i: int) -> None:
            await c.post("/v1/transit/decrypt/bench", {"ciphertext": blob, "associated_data": aad})

        try:
            await closed_loop(decrypt, args.concurrency, 1.0)
            single = await closed_loop(decrypt, args.concurrency, args.seconds)
        finally:
            await c.aclose()
        # Batch encrypt through the same client, at the same concurrency as our
        # tokenize; 100 values per request, because OpenBao refuses request
        # bodies with more than 1000 JSON strings (max_request_json_strings).
        per_request = 100
        items = [
            {"plaintext": base64.b64encode(f"person{i}@example.test".encode()).decode()}
            for i in range(BATCH)
        ]
        for item in items:  # as VaultTransitKeyProvider.batch_encrypt sends them
            item["associated_data"] = aad
            item["key_version"] = int(ref.removeprefix("v"))
        c = Client(bao.addr, headers, connections=8)

        async def encrypt(i: int) -> None:
            k = (i * per_request) % BATCH
            await c.post("/v1/transit/encrypt/bench", {"batch_input": items[k : k + per_request]})

        try:
            await closed_loop(encrypt, 2, 1.0)
            enc = await closed_loop(encrypt, 2, args.seconds)
        finally:
            await c.aclose()
        batch_vps = enc["rps"] * per_request
    return {"single": single, "batch_values_per_s": round(batch_vps, 1)}


def run_store(store: str, workers: int, args: argparse.Namespace) -> dict[str, Any] | None:
    """Serve a fresh installation on ``store`` and load it; None when it is not available."""
    urls: dict[str, str] = {}
    if store == "postgres":
        admin = os.environ.get(PG_ENV)
        if not admin:
            print(f"postgres: skipped ({PG_ENV} unset; run under scripts/with-postgres.sh)")
            return None
        urls = _pg_urls(admin)
    elif store != "sqlite":
        raise SystemExit(f"unknown store {store!r} (sqlite or postgres)")
    with tempfile.TemporaryDirectory() as tmp:
        setup = prepare(Path(tmp), args.records, urls)
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), str(workers)],
            env=_env(Path(tmp), urls),
            cwd=ROOT,
        )
        try:
            _wait(port)
            ours = asyncio.run(privault_runs(f"http://127.0.0.1:{port}", setup, args))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {"store": store, "workers": workers, **ours}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rate", type=float, default=500.0)
    ap.add_argument("--rounds", type=int, default=3, help="paced rounds at --rate (median kept)")
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument(
        "--configs",
        default="sqlite:1,sqlite:2,postgres:2",
        help="store:workers pairs to serve, comma-separated",
    )
    ap.add_argument("--serve", nargs=2, metavar=("PORT", "WORKERS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(int(args.serve[0]), int(args.serve[1]))
        return
    configs = [c.strip().partition(":") for c in args.configs.split(",")]
    runs = [r for s, _, w in configs if (r := run_store(s, int(w or 1), args)) is not None]
    bao = asyncio.run(openbao_runs(args))
    figures_by = {f"{r['store']}_{r['workers']}w": _config_figures(r, bao) for r in runs}
    # The target is a latency at a rate: the best configuration is the one
    # with the lowest p99 at --rate.
    best = figures_by[min(figures_by, key=lambda k: figures_by[k]["at_target_rate"]["p99_ms"])]
    figures = {
        "concurrency": args.concurrency,
        **{k: best[k] for k in ("config", "rps", "p50_ms", "p99_ms", "at_target_rate")},
        "p99_ms_at_rate": best["at_target_rate"]["p99_ms"],  # the median round's
        "batch_vs_openbao": best["batch_vs_openbao"],
        "configs": figures_by,
        "openbao_decrypt": bao["single"],
        "openbao_batch_encrypt_values_per_s": bao["batch_values_per_s"],
        "targets": {"p99_ms_at_500_rps": 20, "batch_vs_openbao": 1.0},
    }
    path = write_results("api", figures)
    line = "{:<16}{:>9} req/s  p50 {:>8} ms  p99 {:>8} ms"
    for name, c in figures_by.items():
        r = c["at_target_rate"]
        print(
            line.format(f"read {name}", c["rps"], c["p50_ms"], c["p99_ms"]), f"c={args.concurrency}"
        )
        print(
            line.format(f"  at {args.rate:.0f}/s", r["rps"], r["p50_ms"], r["p99_ms"]),
            f"failed {r['failed']}",
        )
        print(
            f"  tokenize {c['batch_tokenize_values_per_s']:>10,.0f} values/s; "
            f"ratio to OpenBao batch encrypt {c['batch_vs_openbao']}"
        )
    b = bao["single"]
    print(line.format("OpenBao decrypt", b["rps"], b["p50_ms"], b["p99_ms"]))
    print(f"OpenBao batch encrypt {bao['batch_values_per_s']:,.0f} values/s")
    print(
        f"best at {args.rate:.0f}/s: {best['config']}, p99 {figures['p99_ms_at_rate']} ms "
        f"(target 20); batch tokenize {best['batch_vs_openbao']}x OpenBao (target 1.0)"
    )
    print(f"wrote {path}")


def _config_figures(run: dict[str, Any], bao: dict[str, Any]) -> dict[str, Any]:
    batch_vps = run["batch"]["rps"] * BATCH
    return {
        "config": f"{run['store']}, {run['workers']} worker(s)",
        "rps": run["single"]["rps"],
        "p50_ms": run["single"]["p50_ms"],
        "p99_ms": run["single"]["p99_ms"],
        "at_target_rate": run["at_rate"],
        "single_vs_openbao_decrypt": round(run["single"]["rps"] / bao["single"]["rps"], 3),
        "batch_tokenize_values_per_s": round(batch_vps, 1),
        "batch_vs_openbao": round(batch_vps / bao["batch_values_per_s"], 3),
    }


def _wait(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("the privault server did not start")


if __name__ == "__main__":
    main()
