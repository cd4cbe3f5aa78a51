"""Free text: plain text and log files, Word (docx) and PDF documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from privault.core.errors import InvalidInput
from privault.discovery._types import Table
from privault.discovery.encoding import is_binary, open_text
from privault.discovery.readers.base import DocumentTable

__all__ = ["DocxReader", "PdfReader", "TextReader"]


class TextReader:
    """Text and log files, line by line, in UTF-8, UTF-16 or Latin-1."""

    name: ClassVar[str] = "text"
    extensions: ClassVar[tuple[str, ...]] = (".txt", ".log", ".md", ".text", ".eml", ".out")

    def tables(self, path: Path, display: str, workdir: Path) -> list[Table]:
        """Return the document as one table of lines."""
        del workdir
        if is_binary(path):
            raise InvalidInput("binary content, not text")

        def lines() -> Iterator[str]:
            with open_text(path) as fh:
                yield from fh

        return [DocumentTable(display, lines)]


class DocxReader:
    """Word documents: paragraphs, then table cells."""

    name: ClassVar[str] = "docx"
    extensions: ClassVar[tuple[str, ...]] = (".docx",)

    def tables(self, path: Path, display: str, workdir: Path) -> list[Table]:
        """Return the document as one table of paragraphs."""
        del workdir
        import docx

        document = docx.Document(str(path))  # a docx is a zip: python-docx reads it whole

        def lines() -> Iterator[str]:
            for para in document.paragraphs:
                yield para.text
            for table in document.tables:
                for row in table.rows:
                    yield " | ".join(cell.text for cell in row.cells)

        return [DocumentTable(display, lines)]


class PdfReader:
    """PDF documents: the text of each page, page by page."""

    name: ClassVar[str] = "pdf"
    extensions: ClassVar[tuple[str, ...]] = (".pdf",)

    def tables(self, path: Path, display: str, workdir: Path) -> list[Table]:
        """Return the document as one table of text lines."""
        del workdir
        from pypdf import PdfReader as _Pdf

        pdf = _Pdf(str(path))
        if pdf.is_encrypted:
            raise InvalidInput("encrypted PDF")

        def lines() -> Iterator[str]:
            for page in pdf.pages:
                yield from (page.extract_text() or "").splitlines()

        return [DocumentTable(display, lines)]
