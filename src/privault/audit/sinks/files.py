"""JSON-lines (or CEF) audit files with size-based rotation."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from privault.audit.chain import SealedEvent
from privault.audit.sinks.base import SINKS, AuditSink, parse_params
from privault.audit.sinks.formats import FORMATS


class FileParams(BaseModel):
    """Options of a file sink."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path
    format: Literal["json", "cef"] = "json"
    max_bytes: int = Field(default=50 * 1024 * 1024, ge=1024)
    backups: int = Field(default=10, ge=0, le=1000)
    fsync: bool = False


class JsonlFileSink:
    """Appends one line per event; rotates ``path`` → ``path.1`` … ``path.N`` by size.

    Files are created owner-read/write only (0600).
    """

    name: ClassVar[str] = "jsonl"

    def __init__(self, params: FileParams) -> None:
        self.params = params
        self._format = FORMATS[params.format]
        self._lock = threading.Lock()
        params.path.parent.mkdir(parents=True, exist_ok=True)

    def emit(self, events: Sequence[SealedEvent]) -> None:
        """Append ``events``, rotating first when the file would grow past ``max_bytes``."""
        data = "".join(self._format(e) + "\n" for e in events).encode()
        with self._lock:
            path = self.params.path
            size = path.stat().st_size if path.exists() else 0
            if size and size + len(data) > self.params.max_bytes:
                self._rotate()
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
                if self.params.fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)

    def _rotate(self) -> None:
        path, keep = self.params.path, self.params.backups
        if keep == 0:
            path.unlink(missing_ok=True)
            return
        oldest = path.with_name(f"{path.name}.{keep}")
        oldest.unlink(missing_ok=True)
        for i in range(keep - 1, 0, -1):
            src = path.with_name(f"{path.name}.{i}")
            if src.exists():
                src.rename(path.with_name(f"{path.name}.{i + 1}"))
        path.rename(path.with_name(f"{path.name}.1"))

    def close(self) -> None:
        """Nothing to release (each batch opens and closes the file)."""


def _factory(spec: Mapping[str, Any]) -> AuditSink:
    return JsonlFileSink(parse_params(FileParams, spec, "jsonl"))


SINKS.register(JsonlFileSink.name, _factory)
