"""S3 buckets through moto's server on loopback: objects read like local files."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from privault.core.errors import InvalidInput
from privault.discovery import ScanOptions, scan
from tests.support.net import moto_s3


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_s3() as url:
        yield url


@pytest.fixture
def s3(endpoint: str, monkeypatch: pytest.MonkeyPatch):
    import boto3

    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket="exports")
    return client


def test_bucket_prefix_scan(s3, endpoint: str) -> None:
    emails = "\n".join(["id,email", *(f"{i},user{i}@example.org" for i in range(50))])
    s3.put_object(Bucket="exports", Key="crm/2026/customers.csv", Body=emails.encode())
    s3.put_object(
        Bucket="exports",
        Key="crm/events.jsonl",
        Body="\n".join(json.dumps({"ip": f"10.1.2.{i}"}) for i in range(30)).encode(),
    )
    s3.put_object(Bucket="exports", Key="crm/logo.png", Body=b"\x89PNG")
    s3.put_object(Bucket="exports", Key="other/skip.csv", Body=emails.encode())
    result = scan(["s3://exports/crm/"], ScanOptions(s3_endpoint_url=endpoint))
    found = {d.name: {c.name: c.pii_type for c in d.columns} for d in result.datasets}
    assert found == {
        "2026/customers.csv": {"id": None, "email": "EMAIL_ADDRESS"},
        "events.jsonl": {"ip": "IP_ADDRESS"},
    }
    assert result.skipped == 1 and result.sources == (("s3://exports/crm/", "s3"),)


def test_missing_bucket_is_an_input_error(s3, endpoint: str) -> None:
    with pytest.raises(InvalidInput, match="NoSuchBucket"):
        scan(["s3://nope/"], ScanOptions(s3_endpoint_url=endpoint))
