"""S3-compatible buckets: ``s3://bucket/prefix``; each object is read like a local file.

Objects are downloaded one at a time into the scan's scratch directory (mode
0600), read, and deleted before the next, so a bucket is never held in memory
or on disk whole. The endpoint comes from ``ScanOptions.s3_endpoint_url`` or
boto3's usual configuration (``AWS_ENDPOINT_URL``, profiles, instance roles).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from privault.core.errors import InvalidInput
from privault.discovery._types import ScanOptions, Table
from privault.discovery.readers import READERS, reader_for
from privault.discovery.targets import Entry, Plan, wanted

__all__ = ["S3Connector", "parse_s3"]


def parse_s3(target: str) -> tuple[str, str]:
    """Split ``s3://bucket/prefix`` into bucket and prefix.

    Raises:
        InvalidInput: no bucket.

    """
    rest = target[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise InvalidInput("an S3 target needs a bucket: s3://BUCKET[/PREFIX]")
    return bucket, prefix


def _known(key: str) -> bool:
    suffix = PurePosixPath(key).suffix.lower()
    return any(suffix in READERS.get(n).extensions for n in READERS)


class S3Connector:
    """Objects under an S3 prefix, named by their key relative to the prefix."""

    name: ClassVar[str] = "s3"

    def accepts(self, target: str) -> bool:
        """``s3://`` targets."""
        return target.startswith("s3://")

    def plan(self, target: str, options: ScanOptions) -> Plan:
        """List the objects (raising InvalidInput when the bucket cannot be listed)."""
        bucket, prefix = parse_s3(target)
        client = _client(options)
        keys = _list(client, bucket, prefix)
        entries: list[Entry] = []
        skipped = 0
        base = prefix if not prefix or prefix.endswith("/") else prefix.rsplit("/", 1)[0] + "/"
        for key in keys:
            rel = key[len(base) :] if base and key.startswith(base) else key
            if not wanted(rel, options):
                continue
            if not _known(key):
                skipped += 1
                continue
            entries.append(_entry(client, bucket, key, rel))
        return Plan(f"s3://{bucket}/{prefix}", self.name, entries, skipped)


def _client(options: ScanOptions) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=options.s3_endpoint_url or None)


def _list(client: Any, bucket: str, prefix: str) -> list[str]:
    from botocore.exceptions import BotoCoreError, ClientError

    keys: list[str] = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys += [o["Key"] for o in page.get("Contents", ()) if not o["Key"].endswith("/")]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise InvalidInput(f"cannot list s3://{bucket}/{prefix}: {code}") from None
    except BotoCoreError as exc:
        raise InvalidInput(f"cannot reach S3 for s3://{bucket}: {type(exc).__name__}") from None
    return sorted(keys)


def _entry(client: Any, bucket: str, key: str, rel: str) -> Entry:
    made: list[Path] = []

    def open_(work: Path) -> list[Table]:
        fd, name = tempfile.mkstemp(suffix=PurePosixPath(key).suffix, dir=work)
        os.close(fd)
        path = Path(name)
        made.append(path)
        client.download_file(bucket, key, str(path))
        reader = reader_for(path)
        if reader is None:
            raise InvalidInput("unknown format")
        return reader.tables(path, rel, work)

    def close() -> None:
        for path in made:
            path.unlink(missing_ok=True)

    return Entry(rel, open_, close)


Opener = Callable[[Path], list[Table]]
