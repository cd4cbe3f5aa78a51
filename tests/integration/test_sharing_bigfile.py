"""A multi-GB file round-trips in bounded memory (peak RSS of a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

GIB = 1 << 30
SIZE = int(os.environ.get("PRIVAULT_BIGFILE_BYTES", 2 * GIB))

# The child builds a fresh installation, streams SIZE pseudo-random bytes
# through share put and share get, and reports hashes, timings and VmHWM.
CHILD = textwrap.dedent(
    """
    import hashlib, json, os, sys, time
    from pathlib import Path
    from privault.app.bootstrap import init_platform
    from privault.app.sharing import SharingService
    from privault.core.context import Principal, RequestContext
    from privault.core.secret import Secret
    from privault.core.settings import Settings
    from privault.sharing.storage import LocalStore

    size, root = int(sys.argv[1]), Path(sys.argv[2])
    p = init_platform(Settings(data_dir=root, kdf_memory_kib=8192, kdf_iterations=1),
                      Secret("big file passphrase"))
    ctx = RequestContext(Principal("user:admin", frozenset({"owner"})))
    p.tenants.create(ctx, "acme")
    svc = SharingService(p.data, p.keys, p.tenants, p.audit, p.authz, p.clock,
                         LocalStore(root / "shares"))
    pool = [os.urandom(1 << 20) for _ in range(32)]
    sent = hashlib.sha256()

    def source():
        left, i = size, 0
        while left:
            block = i.to_bytes(8, "big") + pool[(i * 7) % 32][8:]
            block = block[: min(left, len(block))]
            sent.update(block)
            left -= len(block)
            i += 1
            yield block

    t0 = time.perf_counter()
    shared = svc.put(ctx, "acme", "big.bin", source())
    t1 = time.perf_counter()
    got, n = hashlib.sha256(), 0
    for chunk in svc.get(ctx, shared.token).chunks:
        got.update(chunk)
        n += len(chunk)
    t2 = time.perf_counter()
    status = Path("/proc/self/status").read_text()
    hwm = int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1])
    blob = next((root / "shares").rglob("*.bin")).stat().st_size
    print(json.dumps({"sent": sent.hexdigest(), "got": got.hexdigest(), "bytes": n,
                      "blob": blob, "put_s": t1 - t0, "get_s": t2 - t1, "vmhwm_kib": hwm,
                      "scan": shared.scan.kind}))
    """
)


@pytest.mark.slow
def test_multi_gb_round_trip_in_bounded_memory(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIVAULT_")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(SIZE), str(tmp_path / "store")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    mib = SIZE / (1 << 20)
    print(
        f"\n{mib:.0f} MiB: put {mib / report['put_s']:.0f} MiB/s, "
        f"get {mib / report['get_s']:.0f} MiB/s, peak RSS {report['vmhwm_kib'] / 1024:.0f} MiB"
    )
    assert report["bytes"] == SIZE and report["sent"] == report["got"]
    assert report["blob"] == SIZE + 28 * -(-SIZE // (1 << 20))  # nonce + tag per chunk
    assert report["scan"] == "binary"
    # Peak RSS: the interpreter and libraries (~100 MiB) plus a few chunks,
    # independent of the file size and far below it.
    assert report["vmhwm_kib"] * 1024 < min(256 << 20, SIZE // 8)
