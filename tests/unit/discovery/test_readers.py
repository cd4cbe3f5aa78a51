"""Connectors and readers: every format, encodings, corrupt inputs, directories, sampling."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import polars as pl
import pytest

from privault.core.errors import InvalidInput, NotFound
from privault.discovery import ScanOptions, scan
from privault.discovery.encoding import detect_encoding
from privault.discovery.sampling import Reservoir, sample_indices

EMAILS = [f"person{i}@example.org" for i in range(40)]


def _tables(result) -> dict[str, dict[str, str | None]]:
    return {d.name: {c.name: c.pii_type for c in d.columns} for d in result.datasets}


def _csv(path: Path, sep: str = ",", encoding: str = "utf-8") -> Path:
    lines = [f"id{sep}email{sep}name"] + [
        f"{i}{sep}{e}{sep}Zoë Müller" for i, e in enumerate(EMAILS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),  # the common case
        ("utf-8-sig", "utf-8-sig"),  # Excel's UTF-8 with BOM
        ("utf-16", "utf-16"),  # Windows exports, with BOM
        ("latin-1", "latin-1"),  # legacy exports: ü is one byte, not UTF-8
    ],
)
def test_csv_encodings(tmp_path: Path, encoding: str, detected: str) -> None:
    path = _csv(tmp_path / "c.csv", encoding=encoding)
    assert detect_encoding(path) == detected
    cols = _tables(scan([str(path)]))["c.csv"]
    assert cols == {"id": None, "email": "EMAIL_ADDRESS", "name": "PERSON"}


def test_tsv_and_semicolons(tmp_path: Path) -> None:
    _csv(tmp_path / "a.tsv", sep="\t")
    _csv(tmp_path / "b.csv", sep=";")
    found = _tables(scan([str(tmp_path)]))
    assert found["a.tsv"]["email"] == found["b.csv"]["email"] == "EMAIL_ADDRESS"


def test_headerless_csv_never_names_a_column_after_a_value(tmp_path: Path) -> None:
    path = tmp_path / "raw.csv"
    path.write_text("".join(f"{e},{i}\n" for i, e in enumerate(EMAILS)))
    cols = _tables(scan([str(path)]))["raw.csv"]
    assert cols == {"col_1": "EMAIL_ADDRESS", "col_2": None}


def test_sample_is_drawn_across_the_whole_file(tmp_path: Path) -> None:
    # e-mails only in the last fifth of the file: a head sample would miss them
    n = 50_000
    values = [None] * (n - n // 5) + [f"late{i}@example.org" for i in range(n // 5)]
    pl.DataFrame({"contact": values}, schema={"contact": pl.String}).write_csv(tmp_path / "l.csv")
    result = scan([str(tmp_path / "l.csv")], ScanOptions(sample_size=2_000))
    col = result.datasets[0].columns[0]
    assert result.datasets[0].row_count == n
    assert col.pii_type == "EMAIL_ADDRESS" and 300 < col.non_null < 500


def test_full_mode_reads_every_row(tmp_path: Path) -> None:
    _csv(tmp_path / "c.csv")
    result = scan([str(tmp_path / "c.csv")], ScanOptions(full=True, batch_rows=7))
    d = result.datasets[0]
    assert d.full and d.row_count == 40 and d.columns[1].non_null == 40


def test_json_array_nested_keys_flattened(tmp_path: Path) -> None:
    rows = [
        {"id": i, "customer": {"email": e, "address": {"city": "Berlin"}}}
        for i, e in enumerate(EMAILS)
    ]
    (tmp_path / "a.json").write_text(json.dumps(rows))
    (tmp_path / "w.json").write_text(json.dumps({"meta": 1, "customers": rows}))
    found = _tables(scan([str(tmp_path)]))
    assert found["a.json"]["customer.email"] == "EMAIL_ADDRESS"
    assert set(found["w.json"]) == {"id", "customer.email", "customer.address.city"}


def test_jsonl_skips_bad_lines(tmp_path: Path) -> None:
    lines = [json.dumps({"user": {"mail": e}}) for e in EMAILS] + ["{not json"]
    (tmp_path / "u.jsonl").write_text("\n".join(lines))
    assert _tables(scan([str(tmp_path / "u.jsonl")]))["u.jsonl"] == {"user.mail": "EMAIL_ADDRESS"}


def test_parquet_with_struct(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": list(range(40)), "c": [{"email": e, "n": 1} for e in EMAILS]})
    frame.write_parquet(tmp_path / "p.parquet")
    assert _tables(scan([str(tmp_path / "p.parquet")]))["p.parquet"] == {
        "id": None,
        "c.email": "EMAIL_ADDRESS",
        "c.n": None,
    }


def test_excel_sheets(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Kunden"
    sheet.append(["E-Mail", "Betrag"])
    for i, e in enumerate(EMAILS):
        sheet.append([e, i * 1.5])
    book.create_sheet("Leer")
    book.save(tmp_path / "b.xlsx")
    found = _tables(scan([str(tmp_path)]))
    assert found["b.xlsx::Kunden"] == {"E-Mail": "EMAIL_ADDRESS", "Betrag": None}
    assert found["b.xlsx::Leer"] == {}


def test_documents_text_log_docx_pdf(tmp_path: Path) -> None:
    import docx

    lines = [
        f"2026-01-0{i % 9 + 1} login failed for {e} from 10.0.0.{i}" for i, e in enumerate(EMAILS)
    ]
    (tmp_path / "app.log").write_text("\n".join(lines))
    document = docx.Document()
    for e in EMAILS[:10]:
        document.add_paragraph(f"Please write to {e} about the contract renewal.")
    document.save(tmp_path / "letter.docx")
    (tmp_path / "memo.pdf").write_bytes(_pdf([f"Contact {e} for details" for e in EMAILS[:6]]))
    result = scan([str(tmp_path)])
    by_name = {d.name: d for d in result.datasets}
    assert {"EMAIL_ADDRESS", "IP_ADDRESS"} <= set(by_name["app.log"].columns[0].freeform_pii)
    assert "EMAIL_ADDRESS" in by_name["letter.docx"].columns[0].freeform_pii
    assert "EMAIL_ADDRESS" in by_name["memo.pdf"].columns[0].freeform_pii
    assert {d.category for d in result.datasets} == {"freeform"}


def _pdf(lines: list[str]) -> bytes:
    text = " ".join(f"({line}) Tj 0 -14 Td" for line in lines)
    stream = f"BT /F1 10 Tf 40 780 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bin.csv", b"\x00\x01\x02\xff" * 100),  # binary data under a CSV name
        ("broken.xlsx", b"PK\x03\x04 not really a zip"),  # truncated workbook
        ("broken.json", b'[{"a": 1}, {"b": '),  # truncated JSON array
        ("broken.parquet", b"PAR1 garbage"),  # not Parquet
        ("broken.docx", b"not a docx"),  # not a zip
        ("broken.pdf", b"%PDF-1.4 nothing else"),  # no objects
    ],
)
def test_corrupt_inputs_are_listed_and_the_scan_goes_on(
    tmp_path: Path, name: str, content: bytes
) -> None:
    (tmp_path / name).write_bytes(content)
    _csv(tmp_path / "good.csv")
    result = scan([str(tmp_path)])
    assert [d.name for d in result.datasets] == ["good.csv"]
    assert [i.target for i in result.issues] == [name]
    assert "\x00" not in result.issues[0].reason and "garbage" not in result.issues[0].reason


def test_directory_globs_and_unknown_formats(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    _csv(tmp_path / "sub" / "keep.csv")
    _csv(tmp_path / "sub" / "drop.csv")
    _csv(tmp_path / ".git" / "hidden.csv")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    result = scan([str(tmp_path)], ScanOptions(include=("*.csv", "*.png"), exclude=("drop.*",)))
    assert [d.name for d in result.datasets] == ["sub/keep.csv"]
    assert result.skipped == 1


def test_sqlite_file_tables(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, email TEXT, note BLOB)")
        conn.executemany(
            "INSERT INTO contacts (email, note) VALUES (?, ?)", [(e, b"x") for e in EMAILS]
        )
    found = _tables(scan([str(tmp_path)]))
    assert found == {"crm.db::contacts": {"id": None, "email": "EMAIL_ADDRESS", "note": None}}


def test_missing_path_and_bad_urls(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        scan([str(tmp_path / "nope")])
    with pytest.raises(InvalidInput) as info:
        scan(["postgresql://u:s3cr3t-pw@127.0.0.1:1/db"])
    assert "s3cr3t-pw" not in str(info.value) and "cannot connect" in str(info.value)
    with pytest.raises(InvalidInput):
        scan(["nosuchdriver://u:pw@host/db"])


def test_sampling_helpers() -> None:
    assert sample_indices(5, 10, 1) == [0, 1, 2, 3, 4]
    picks = sample_indices(1_000_000, 1_000, 1)
    assert len(set(picks)) == 1_000 and picks == sorted(picks) and picks[-1] > 900_000
    res: Reservoir[int] = Reservoir(500, 3)
    res.extend(range(100_000))
    assert res.seen == 100_000 and len(res.items) == 500
    assert 35_000 < sum(res.items) / 500 < 65_000  # uniform: mean near the middle
