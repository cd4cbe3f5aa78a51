"""The chunk format: round trips, and every way of rearranging a blob fails."""

from __future__ import annotations

import io

import pytest

from privault.core.errors import InvalidCiphertext
from privault.crypto._primitives import Aead, random_bytes
from privault.sharing.chunks import OVERHEAD, open_stream, read_exact, rechunk, seal_stream

SIZE = 64


def _seal(aead: Aead, file_id: str, data: bytes) -> tuple[bytes, int]:
    seen: list[int] = []
    blob = b"".join(seal_stream(aead, file_id, rechunk([data], SIZE), lambda b: seen.append(1)))
    return blob, len(seen)


def _open(aead: Aead, file_id: str, blob: bytes, chunks: int) -> bytes:
    return b"".join(open_stream(aead, file_id, io.BytesIO(blob).read, SIZE, chunks))


@pytest.mark.parametrize(
    "length",
    [
        0,  # an empty file is one empty, last chunk
        1,  # shorter than a chunk
        SIZE,  # exactly one chunk
        SIZE + 1,  # one full chunk and a one-byte tail
        5 * SIZE,  # whole chunks only
    ],
)
def test_round_trip(length: int) -> None:
    aead, data = Aead(random_bytes(32)), random_bytes(length)
    blob, chunks = _seal(aead, "shf_a", data)
    assert chunks == max(1, -(-length // SIZE))
    assert _open(aead, "shf_a", blob, chunks) == data


def _split(blob: bytes) -> list[bytes]:
    stride = SIZE + OVERHEAD
    return [blob[i : i + stride] for i in range(0, len(blob), stride)]


@pytest.fixture
def sealed() -> tuple[Aead, list[bytes]]:
    aead = Aead(random_bytes(32))
    blob, _ = _seal(aead, "shf_a", random_bytes(4 * SIZE + 10))
    return aead, _split(blob)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: [c[1], c[0], *c[2:]],  # reordered
        lambda c: c[:-1],  # truncated at a chunk boundary
        lambda c: c[:2],  # truncated harder
        lambda c: [*c, c[0]],  # a chunk appended after the last
        lambda c: [c[0], c[0], *c[2:]],  # a chunk duplicated
        lambda c: [c[0][:-1] + bytes([c[0][-1] ^ 1]), *c[1:]],  # a flipped bit
        lambda c: [c[0], c[1][:-5], *c[2:]],  # a shortened middle chunk
    ],
)
def test_rearranged_blobs_fail(sealed: tuple[Aead, list[bytes]], tamper) -> None:
    aead, chunks = sealed
    with pytest.raises(InvalidCiphertext):
        _open(aead, "shf_a", b"".join(tamper(chunks)), len(chunks))


def test_chunks_of_another_file_fail(sealed: tuple[Aead, list[bytes]]) -> None:
    aead, chunks = sealed
    other, _ = _seal(aead, "shf_b", random_bytes(4 * SIZE + 10))
    swapped = [chunks[0], _split(other)[1], *chunks[2:]]
    with pytest.raises(InvalidCiphertext):
        _open(aead, "shf_a", b"".join(swapped), len(chunks))
    with pytest.raises(InvalidCiphertext):
        _open(aead, "shf_b", b"".join(chunks), len(chunks))


def test_rechunk_and_short_reads() -> None:
    pieces = [b"a" * 10, b"b" * 100, b"", b"c" * 7]
    assert [len(b) for b in rechunk(pieces, SIZE)] == [64, 53]
    stream = io.BytesIO(b"x" * 100)

    def dribble(n: int) -> bytes:  # a socket-like reader: 3 bytes at a time
        return stream.read(min(n, 3))

    assert read_exact(dribble, 10) == b"x" * 10
