"""Where sealed blobs live: a small Protocol and the local-filesystem backend.

Backends only ever see ciphertext. Adding one is one class with the four
methods below plus one entry in :data:`BACKENDS` (see :mod:`.s3`).

Implementer's contract:

* ``put`` consumes the chunk iterator once, streaming: never join it.
* ``put`` either stores the whole object or nothing (write aside, then move).
* ``open`` returns an object whose ``read(n)`` may return fewer than ``n``
  bytes; callers use :func:`privault.sharing.chunks.read_exact`.
* ``delete`` of a missing object is not an error.
* Errors are :class:`ConfigurationError` (backend unreachable) or
  :class:`NotFound`; messages never contain object contents.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar, Protocol

from privault.core.errors import ConfigurationError, InvalidInput, NotFound
from privault.crypto._primitives import Aead
from privault.sharing.chunks import open_stream

_KEY = re.compile(r"^[a-z0-9_]{1,40}/[a-z0-9_]{1,60}\.bin$")


class Readable(Protocol):
    """A byte stream being read."""

    def read(self, n: int = -1, /) -> bytes:
        """Up to ``n`` bytes; ``b""`` at the end."""
        ...

    def close(self) -> None:
        """Release the stream."""
        ...


class BlobStore(Protocol):
    """A backend for sealed blobs."""

    name: ClassVar[str]

    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        """Store the concatenated chunks under ``key``; return the bytes written."""
        ...

    def open(self, key: str) -> Readable:
        """Open the object for reading."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object (no error if missing)."""
        ...


def object_key(tenant_id: str, file_id: str) -> str:
    """The storage key of a file: ``<tenant id>/<file id>.bin``."""
    return check_key(f"{tenant_id}/{file_id}.bin")


def check_key(key: str) -> str:
    """Refuse keys that are not ours (no traversal, no odd characters).

    Raises:
        InvalidInput: a malformed key.
    """
    if not _KEY.match(key):
        raise InvalidInput("malformed storage key")
    return key


class LocalStore:
    """Blobs as files under a directory (by default ``<data dir>/shares``).

    Args:
        root: the directory; created on first write.
    """

    name: ClassVar[str] = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        """Write to a temporary file, fsync, then rename into place."""
        path = self._path(key)
        tmp = path.with_suffix(".part")
        written = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(tmp, "wb") as fh:
                for chunk in chunks:
                    fh.write(chunk)
                    written += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ConfigurationError(f"cannot write the share store ({exc.strerror})") from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return written

    def open(self, key: str) -> Readable:
        """Open the blob file.

        Raises:
            NotFound: the blob is gone.
        """
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError:
            raise NotFound("the shared file's data is gone") from None

    def delete(self, key: str) -> None:
        """Unlink the blob file."""
        self._path(key).unlink(missing_ok=True)


def stream_plain(
    store: BlobStore, key: str, aead: Aead, file_id: str, chunk_size: int, chunks: int
) -> Iterator[bytes]:
    """Decrypt a stored blob lazily, closing the object when done or abandoned."""
    stream = store.open(key)
    try:
        yield from open_stream(aead, file_id, stream.read, chunk_size, chunks)
    finally:
        stream.close()
