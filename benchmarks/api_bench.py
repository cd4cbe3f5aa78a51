"""API benchmark: gated single-record reads and batch tokenize over HTTP, beside OpenBao.

    .venv/bin/python benchmarks/api_bench.py [--seconds 5] [--concurrency 8]

The privault server (uvicorn, one process) runs in a subprocess over a fresh
SQLite installation; the load generator (benchmarks/_http.py: a lean asyncio
keep-alive client, so the client's CPU does not crowd out the server's on 2
cores) runs here. In the
same run an OpenBao dev server answers transit decrypt (single value) and
batch encrypt over HTTP on the same machine. Writes benchmarks/results/api.json.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from _common import ROOT, write_results
from _http import Client, HttpError

PASSPHRASE = "bench passphrase, not secret"
BATCH = 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settings(data: Path) -> Any:
    from privault.core.settings import Settings

    return Settings(data_dir=data, kdf_memory_kib=8192, kdf_iterations=1)


def prepare(data: Path, records: int) -> dict[str, Any]:
    """A fresh installation with one tenant, records, and two API keys."""
    from datetime import UTC, datetime

    from privault.app.bootstrap import init_platform
    from privault.core.context import Principal, RequestContext
    from privault.core.secret import Secret
    from tests.support.data import CUSTOMER_SCHEMA, customer

    p = init_platform(_settings(data), Secret(PASSPHRASE))
    ctx = RequestContext(Principal("user:bench", frozenset({"owner"}), mfa_at=datetime.now(UTC)))
    p.tenants.create(ctx, "acme")
    p.tenants.apply_schema(ctx, "acme", CUSTOMER_SCHEMA)
    ids = p.vault.put_many(ctx, "acme", "customer", [customer(i) for i in range(records)])
    p.identity.add_user(ctx, "bench")
    p.access.grant(ctx, "bench", "technician")
    _k, key = p.identity.create_api_key(ctx, "bench", "bench", scopes=["record.*", "token.*"])
    p.close()
    return {"ids": ids, "key": key.reveal()}


def serve(data: str, port: int) -> None:
    """The server process: open the installation and serve it."""
    import uvicorn

    from privault.app.bootstrap import open_platform
    from privault.core.secret import Secret
    from privault.interfaces.api import ApiConfig, create_app

    platform = open_platform(_settings(Path(data)), Secret(PASSPHRASE))
    platform.monitor.start_background()  # as `privault serve` does
    limits = ApiConfig(key_rate=1e9, key_burst=10**9, address_rate=1e9, address_burst=10**9)
    uvicorn.run(
        create_app(platform, limits, web=False),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )


async def closed_loop(
    call: Callable[[int], Awaitable[None]], concurrency: int, seconds: float
) -> dict[str, Any]:
    """``concurrency`` workers calling back to back: rps, p50, p99."""
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
        at_rate = await paced(read, args.rate, min(args.seconds, 2.0))
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rate", type=float, default=500.0)
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--serve", nargs=2, metavar=("DATA", "PORT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        setup = prepare(Path(tmp), args.records)
        port = _free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", tmp, str(port)], env=env, cwd=ROOT
        )
        try:
            _wait(port)
            ours = asyncio.run(privault_runs(f"http://127.0.0.1:{port}", setup, args))
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    bao = asyncio.run(openbao_runs(args))
    ours_batch_vps = ours["batch"]["rps"] * BATCH
    figures = {
        "concurrency": args.concurrency,
        "rps": ours["single"]["rps"],
        "p50_ms": ours["single"]["p50_ms"],
        "p99_ms": ours["single"]["p99_ms"],
        "at_target_rate": {"target_rps": args.rate, **ours["at_rate"]},
        "openbao_decrypt": bao["single"],
        "single_vs_openbao_decrypt": round(ours["single"]["rps"] / bao["single"]["rps"], 3),
        "batch_tokenize_values_per_s": round(ours_batch_vps, 1),
        "openbao_batch_encrypt_values_per_s": bao["batch_values_per_s"],
        "batch_vs_openbao": round(ours_batch_vps / bao["batch_values_per_s"], 3),
        "targets": {"p99_ms_at_500_rps": 20, "batch_vs_openbao": 1.0},
    }
    path = write_results("api", figures)
    s, r, b = ours["single"], ours["at_rate"], bao["single"]
    line = "{:<14}{:>9} req/s  p50 {:>8} ms  p99 {:>8} ms"
    print(line.format("gated read", s["rps"], s["p50_ms"], s["p99_ms"]), f"c={args.concurrency}")
    print(
        line.format(f"  at {args.rate:.0f}/s", r["rps"], r["p50_ms"], r["p99_ms"]),
        f"failed {r['failed']}",
    )
    ratio = figures["single_vs_openbao_decrypt"]
    print(line.format("OpenBao dec", b["rps"], b["p50_ms"], b["p99_ms"]), f"ratio {ratio}")
    print(
        f"tokenize      {ours_batch_vps:>10,.0f} values/s; OpenBao batch encrypt "
        f"{bao['batch_values_per_s']:,.0f} values/s; ratio {figures['batch_vs_openbao']}"
    )
    print(f"wrote {path}")


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
