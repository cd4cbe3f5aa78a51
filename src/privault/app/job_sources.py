"""Where background jobs may read and write: one data root, and allow-listed databases.

Scans and masked copies started over the API or the dashboard name their
inputs as text typed by a remote caller. They never get an arbitrary server
path: a file path is taken relative to the configured data root, resolved
(``..`` and symlinks included) and refused unless it stays inside the root;
a database is accepted only when its URL is on the allow-list verbatim.
Errors name neither the path nor the URL (a URL may hold a password).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from privault.core.errors import InvalidInput
from privault.core.settings import Settings
from privault.discovery.sql import safe_url

MAX_PATH = 1000


@dataclass(frozen=True, slots=True)
class SourcePolicy:
    """The data root and the database allow-list of background jobs.

    Attributes:
        root: the resolved data root directory.
        sql_urls: database URLs a scan may read (exact match).
    """

    root: Path
    sql_urls: frozenset[str]

    @classmethod
    def from_settings(cls, settings: Settings) -> SourcePolicy:
        """The policy the settings configure (root default: ``<data_dir>/files``)."""
        root = settings.job_root or (Path(settings.data_dir) / "files")
        return cls(root.resolve(), frozenset(settings.job_sql_urls))

    def file(self, given: str, *, exists: bool = True) -> Path:
        """The resolved path of ``given`` inside the root.

        Args:
            given: a path relative to the root (an absolute one must lie inside it).
            exists: require the file or directory to exist (else its parent).

        Raises:
            InvalidInput: empty, outside the root, or missing.
        """
        text = given.strip()
        if not text or len(text) > MAX_PATH or "\x00" in text or "://" in text:
            raise InvalidInput("give a path relative to the data root")
        candidate = Path(text)
        if not candidate.is_absolute():
            candidate = self.root / candidate
        resolved = candidate.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise InvalidInput("the path is outside the data root; jobs only read and write there")
        probe = resolved if exists else resolved.parent
        if not probe.exists():
            what = "file or directory" if exists else "directory for the output"
            raise InvalidInput(f"no such {what} under the data root")
        return resolved

    def relative(self, path: Path | str) -> str:
        """``path`` as shown to callers: relative to the root when inside it."""
        p = Path(path)
        try:
            return p.relative_to(self.root).as_posix() or "."
        except ValueError:
            return p.name

    def scan_target(self, given: str) -> tuple[str, str]:
        """A scan target: (what to scan, how to show it).

        Raises:
            InvalidInput: a URL not on the allow-list, or a path outside the root.
        """
        text = given.strip()
        if "://" in text:
            if text not in self.sql_urls:
                raise InvalidInput(
                    "that database URL is not on the allow-list (setting job_sql_urls)"
                )
            return text, safe_url(text)
        path = self.file(text)
        return str(path), self.relative(path)
