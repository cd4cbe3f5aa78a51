"""Text encodings of input files: detect UTF-8, UTF-16 or Latin-1, transcode in a stream."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path
from typing import BinaryIO

__all__ = ["detect_encoding", "is_binary", "open_text", "to_utf8"]

_SNIFF = 64 * 1024


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(_SNIFF)


def detect_encoding(path: Path) -> str:
    """Return ``"utf-8-sig"``, ``"utf-8"``, ``"utf-16"`` or ``"latin-1"`` for ``path``.

    A BOM decides; otherwise NUL bytes in every other position mean UTF-16;
    otherwise the head must decode as UTF-8 (a character cut at the end of the
    head is fine), else Latin-1, which decodes any byte.
    """
    head = _head(path)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _utf16_without_bom(head):
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def _utf16_without_bom(head: bytes) -> bool:
    """Mostly-NUL odd (or even) bytes that decode to printable text: UTF-16 without BOM."""
    if len(head) < 4:
        return False
    odd, even = head[1::2], head[0::2]
    if odd.count(0) > 0.4 * len(odd):
        codec = "utf-16-le"
    elif even.count(0) > 0.4 * len(even):
        codec = "utf-16-be"
    else:
        return False
    text = head[: len(head) // 2 * 2].decode(codec, errors="replace")
    printable = sum(c.isprintable() or c in "\r\n\t" for c in text)
    return printable >= 0.95 * len(text)


def is_binary(path: Path) -> bool:
    """True when ``path`` holds NUL bytes and is not UTF-16 text."""
    head = _head(path)
    return b"\x00" in head and detect_encoding(path) not in ("utf-16", "utf-16-le", "utf-16-be")


def open_text(path: Path, encoding: str | None = None) -> codecs.StreamReaderWriter:
    """Open ``path`` for reading text in its detected encoding (undecodable bytes replaced)."""
    return codecs.open(str(path), "r", encoding or detect_encoding(path), errors="replace")


def to_utf8(path: Path, encoding: str, target: Path) -> Path:
    """Transcode ``path`` from ``encoding`` into UTF-8 at ``target``, chunk by chunk."""
    with path.open("rb") as src, target.open("wb") as dst:
        reader = codecs.getreader(encoding)(src, "replace")
        writer = codecs.getwriter("utf-8")(dst)
        _copy(reader, writer)
    return target


def _copy(reader: codecs.StreamReader, writer: codecs.StreamWriter) -> None:
    while chunk := reader.read(1 << 20):
        writer.write(chunk)


def copy_stream(src: BinaryIO, target: Path) -> None:
    """Copy a binary stream to ``target`` without holding it in memory."""
    with target.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
