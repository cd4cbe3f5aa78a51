"""S3-compatible object storage for sealed blobs (AWS S3, MinIO, moto…).

Uploads stream as a multipart upload in parts of :data:`PART_SIZE`, so memory
stays at one part whatever the file size; a failed upload is aborted, so no
half object is ever visible. ``boto3`` is imported only when this backend is
built (the ``aws`` extra).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from privault.core.errors import ConfigurationError, NotFound
from privault.sharing.storage import Readable, check_key

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

PART_SIZE = 8 << 20  # S3 needs >= 5 MiB for every part but the last


class S3Store:
    """Blobs as objects in one bucket under a prefix.

    Args:
        client: a boto3 S3 client.
        bucket: the bucket.
        prefix: key prefix, e.g. ``"privault/shares/"``.
    """

    name: ClassVar[str] = "s3"

    def __init__(self, client: S3Client, bucket: str, prefix: str = "") -> None:
        self._s3 = client
        self.bucket = bucket
        self.prefix = prefix

    @classmethod
    def connect(cls, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> S3Store:
        """Build a client from the usual AWS settings (environment, profile).

        Raises:
            ConfigurationError: boto3 is not installed.
        """
        try:
            import boto3
        except ImportError:
            raise ConfigurationError(
                "S3 storage needs boto3: pip install 'privault[aws]'"
            ) from None
        return cls(boto3.client("s3", endpoint_url=endpoint_url or None), bucket, prefix)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        """Upload the chunks as one object (multipart beyond one part)."""
        full = self._key(key)
        buf = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        written = 0
        try:
            for chunk in chunks:
                buf += chunk
                written += len(chunk)
                if len(buf) >= PART_SIZE:
                    if upload_id is None:
                        upload_id = self._s3.create_multipart_upload(Bucket=self.bucket, Key=full)[
                            "UploadId"
                        ]
                    parts.append(self._part(full, upload_id, len(parts) + 1, bytes(buf)))
                    buf.clear()
            if upload_id is None:
                self._s3.put_object(Bucket=self.bucket, Key=full, Body=bytes(buf))
                return written
            if buf:
                parts.append(self._part(full, upload_id, len(parts) + 1, bytes(buf)))
            self._s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=full,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},  # type: ignore[typeddict-item]
            )
        except BaseException as exc:
            if upload_id is not None:
                self._abort(full, upload_id)
            if _is_boto_error(exc):
                raise ConfigurationError(f"S3 upload failed ({type(exc).__name__})") from None
            raise
        return written

    def _part(self, key: str, upload_id: str, number: int, body: bytes) -> dict[str, Any]:
        etag = self._s3.upload_part(
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
        )["ETag"]
        return {"ETag": etag, "PartNumber": number}

    def _abort(self, key: str, upload_id: str) -> None:
        # Best effort: the error that made us abort is the one to report.
        with contextlib.suppress(Exception):
            self._s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def open(self, key: str) -> Readable:
        """Stream the object.

        Raises:
            NotFound: no such object.
            ConfigurationError: S3 unreachable or refused.
        """
        try:
            body: Readable = self._s3.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except Exception as exc:
            if _is_missing(exc):
                raise NotFound("the shared file's data is gone") from None
            if _is_boto_error(exc):
                raise ConfigurationError(f"S3 download failed ({type(exc).__name__})") from None
            raise
        return body

    def delete(self, key: str) -> None:
        """Delete the object (S3 does not mind a missing one)."""
        try:
            self._s3.delete_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as exc:
            if _is_boto_error(exc):
                raise ConfigurationError(f"S3 delete failed ({type(exc).__name__})") from None
            raise


def _is_boto_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("botocore", "boto3"))


def _is_missing(exc: BaseException) -> bool:
    response = getattr(exc, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in ("NoSuchKey", "404", "NotFound")
