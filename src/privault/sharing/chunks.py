"""The chunked stream format of shared files: AES-256-GCM per chunk.

A blob is the concatenation of sealed chunks, each ``nonce || ciphertext ||
tag`` of one plaintext chunk of ``chunk_size`` bytes (the last may be
shorter, and an empty file is one empty chunk).

Invariant: the AAD of chunk *i* binds the file id, *i* and whether it is the
last chunk. Hence a chunk moved to another position (reordered), taken from
another file (swapped), or a blob cut at a chunk boundary (truncated: the new
final chunk was sealed as "not last") fails authentication, and so does
anything appended after the real last chunk. A reader never holds more than
two sealed chunks in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from privault.core.errors import InvalidCiphertext
from privault.crypto._primitives import NONCE_BYTES, TAG_BYTES, Aead

CHUNK_SIZE = 1 << 20
OVERHEAD = NONCE_BYTES + TAG_BYTES
_AAD_PREFIX = b"privault-share-chunk/v1\x00"

Read = Callable[[int], bytes]


def chunk_aad(file_id: str, index: int, last: bool) -> bytes:
    """The AAD of chunk ``index`` of ``file_id``."""
    return (
        _AAD_PREFIX
        + file_id.encode()
        + b"\x00"
        + index.to_bytes(8, "big")
        + (b"\x01" if last else b"\x00")
    )


def rechunk(pieces: Iterable[bytes], size: int) -> Iterator[bytes]:
    """Re-cut byte pieces of any length into blocks of exactly ``size`` (the last shorter).

    Memory is bounded by ``size`` plus the largest piece.
    """
    buf = bytearray()
    for piece in pieces:
        if not buf and len(piece) == size:
            yield bytes(piece)
            continue
        buf += piece
        while len(buf) >= size:
            yield bytes(buf[:size])
            del buf[:size]
    if buf:
        yield bytes(buf)


def read_exact(read: Read, n: int) -> bytes:
    """Read ``n`` bytes, fewer only at the end of the stream."""
    first = read(n)
    if len(first) == n or not first:
        return first
    parts = [first]
    got = len(first)
    while got < n:
        more = read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def seal_stream(
    aead: Aead, file_id: str, blocks: Iterable[bytes], observe: Callable[[bytes], None]
) -> Iterator[bytes]:
    """Seal plaintext blocks (from :func:`rechunk`) into chunks, in order.

    Args:
        aead: the file's cipher.
        file_id: bound into every chunk's AAD.
        blocks: plaintext blocks of the chunk size (the last may be shorter).
        observe: called with each plaintext block before it is sealed (the
            PII scan and the byte count see the stream this way).

    Yields:
        Sealed chunks; at least one (an empty file is one empty chunk).
    """
    it = iter(blocks)
    current = next(it, b"")
    index = 0
    for following in it:
        observe(current)
        yield aead.seal(current, chunk_aad(file_id, index, False))
        current, index = following, index + 1
    observe(current)
    yield aead.seal(current, chunk_aad(file_id, index, True))


def open_stream(
    aead: Aead, file_id: str, read: Read, chunk_size: int, expected_chunks: int
) -> Iterator[bytes]:
    """Authenticate and decrypt a blob chunk by chunk.

    Raises:
        InvalidCiphertext: the blob was reordered, swapped, truncated,
            extended or altered (detected at the first bad chunk).
    """
    stride = chunk_size + OVERHEAD
    current = read_exact(read, stride)
    if not current:
        raise InvalidCiphertext()
    index = 0
    while True:
        following = read_exact(read, stride)
        last = not following
        yield aead.open(current, chunk_aad(file_id, index, last))
        if last:
            break
        if len(current) != stride:
            raise InvalidCiphertext()
        current, index = following, index + 1
    if index + 1 != expected_chunks:
        raise InvalidCiphertext()
