"""Shared files on S3-compatible storage: moto's server on loopback, multipart uploads."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from privault.app.bootstrap import Platform
from privault.app.sharing import SharingService
from privault.core.context import RequestContext
from privault.core.errors import InvalidCiphertext
from privault.sharing.s3 import PART_SIZE, S3Store
from tests.support.net import moto_s3


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_s3() as url:
        yield url


@pytest.fixture
def store(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> S3Store:
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    s3 = S3Store.connect("shares", "privault/", endpoint)
    s3._s3.create_bucket(Bucket="shares")
    return s3


def test_multipart_round_trip_tamper_and_purge(
    sqlite_platform: Platform, store: S3Store, admin: RequestContext
) -> None:
    p = sqlite_platform
    p.tenants.create(admin, "acme")
    svc = SharingService(p.data, p.keys, p.tenants, p.audit, p.authz, p.clock, store)
    data = os.urandom(2 * PART_SIZE + 12345)  # three parts, the last one short
    shared = svc.put(
        admin, "acme", "big.bin", [data[i : i + 3_000_000] for i in range(0, len(data), 3_000_000)]
    )
    keys = [o["Key"] for o in store._s3.list_objects_v2(Bucket="shares")["Contents"]]
    assert len(keys) == 1 and keys[0].startswith("privault/")
    assert b"".join(svc.get(admin, shared.token).chunks) == data
    # A blob altered in the bucket fails authentication.
    body = store._s3.get_object(Bucket="shares", Key=keys[0])["Body"].read()
    store._s3.put_object(Bucket="shares", Key=keys[0], Body=body[:-1] + bytes([body[-1] ^ 1]))
    with pytest.raises(InvalidCiphertext):
        b"".join(svc.get(admin, shared.token).chunks)
    small = svc.put(admin, "acme", "small.txt", [b"tiny"])  # a single put_object
    assert b"".join(svc.get(admin, small.token).chunks) == b"tiny"
    svc.revoke(admin, "acme", shared.file_id)
    assert svc.purge(admin) == [shared.file_id]
    left = [o["Key"] for o in store._s3.list_objects_v2(Bucket="shares")["Contents"]]
    assert len(left) == 1 and small.file_id in left[0]
