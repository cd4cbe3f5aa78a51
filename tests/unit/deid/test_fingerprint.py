"""Export marks: unique per export, consistent inside one, detectable from a leaked sample."""

from __future__ import annotations

import random
import secrets
from pathlib import Path

import polars as pl
import pytest

from privault.core.errors import InvalidInput
from privault.core.secret import Secret
from privault.crypto.fpe import luhn_valid
from privault.deid import MaskOptions, load_policy, mask_file
from privault.deid.fingerprint import VARIANTS, ExportMark, normalize_cell
from privault.deid.fingerprint_detect import (
    ExportCandidate,
    attribute,
    binomial_tail,
    read_sample,
)

PROJECT = Secret(bytes(range(32)))
POLICY = load_policy(
    """
entities:
  PERSON: fake
  EMAIL_ADDRESS: fake
  CREDIT_CARD: fake
  US_SSN: fake
columns: {id: keep, city: keep}
unlisted: keep
"""
)
TYPES = {"name": "PERSON", "email": "EMAIL_ADDRESS", "card": "CREDIT_CARD", "ssn": "US_SSN"}
MARKED = ("name", "email", "card", "ssn")


def _mark() -> ExportMark:
    return ExportMark(Secret(secrets.token_bytes(32)))


def _source(n: int = 400) -> pl.DataFrame:
    rng = random.Random(11)
    names = [f"Given{i % 37} Family{i}" for i in range(n)]
    return pl.DataFrame(
        {
            "id": [str(i) for i in range(n)],
            "name": names,
            "email": [f"user{i}@corp.example" for i in range(n)],
            "card": [f"4{rng.randint(10**14, 10**15 - 1)}" for _ in range(n)],
            "ssn": [f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{i:04d}" for i in range(n)],
            "city": [rng.choice(["Leeds", "York", "Bath"]) for _ in range(n)],
        }
    )


def _copy(tmp_path: Path, frame: pl.DataFrame, name: str, mark: ExportMark | None) -> pl.DataFrame:
    src = tmp_path / "src.csv"
    frame.write_csv(src)
    dest = tmp_path / name
    mask_file(src, dest, POLICY, key=PROJECT, options=MaskOptions(pii_types=TYPES), mark=mark)
    return pl.read_csv(dest, infer_schema=False)


def test_two_exports_of_one_source_carry_different_marks(tmp_path: Path) -> None:
    source = _source()
    mark_a, mark_b = _mark(), _mark()
    a = _copy(tmp_path, source, "a.csv", mark_a)
    b = _copy(tmp_path, source, "b.csv", mark_b)
    for col in MARKED:
        # every marked cell carries its mark (a value finds no candidate with p = 2**-16)
        assert sum(not mark_a.carries(v) for v in a[col]) <= 1
        differ = sum(x != y for x, y in zip(a[col], b[col], strict=True))
        # two exports pick the same candidate with p = 1/4 + 1/16 + ... = 1/3
        assert 0.5 * len(a) < differ < 0.8 * len(a), col
    assert a["id"].to_list() == b["id"].to_list() == source["id"].to_list()


def test_marks_are_small_and_keep_the_shape(tmp_path: Path) -> None:
    source = _source(200)
    plain = _copy(tmp_path, source, "plain.csv", None)
    marked = _copy(tmp_path, source, "marked.csv", _mark())
    rows = zip(plain.iter_rows(named=True), marked.iter_rows(named=True), strict=True)
    for before, after in rows:
        assert before["name"].split()[0] == after["name"].split()[0]  # first name kept
        assert before["email"].split("@")[1] == after["email"].split("@")[1]  # domain kept
        assert before["ssn"][:6] == after["ssn"][:6]  # area and group kept
        assert luhn_valid(after["card"].replace(" ", "").replace("-", ""))
        assert len(before["card"]) == len(after["card"])


def test_marks_keep_consistency_inside_one_export_and_no_source_pii(tmp_path: Path) -> None:
    source = pl.concat([_source(150), _source(150)])  # every value twice, in two batches
    src = tmp_path / "dup.csv"
    source.write_csv(src)
    dest = tmp_path / "dup_out.jsonl"
    opts = MaskOptions(pii_types=TYPES, batch_rows=100)
    mask_file(src, dest, POLICY, key=PROJECT, options=opts, mark=_mark())
    copy = pl.read_ndjson(dest)
    for col in MARKED:
        pairs = set(zip(source[col], copy[col], strict=True))
        assert len(pairs) == source[col].n_unique(), col  # one fake per source value
    cells = {v for col in copy.columns for v in copy[col].cast(pl.String)}
    raw = dest.read_text()
    for col in MARKED:
        for value in source[col]:
            assert value not in cells and value not in raw, col


def test_leaked_sample_is_attributed_after_shuffle_drop_and_resave(tmp_path: Path) -> None:
    source = _source()
    marks = {f"exp_{i}": _mark() for i in range(5)}
    copies = {eid: _copy(tmp_path, source, f"{eid}.csv", m) for eid, m in marks.items()}
    candidates = [ExportCandidate(eid, m, MARKED) for eid, m in marks.items()]
    leaked = (
        copies["exp_3"]
        .sample(n=40, seed=7, shuffle=True)
        .drop("card")
        .select(["ssn", "id", "email", "name", "city"])
    )
    leaked.write_excel(tmp_path / "leak.xlsx")
    sample = read_sample(tmp_path / "leak.xlsx", 50)
    verdict = attribute(sample, candidates)
    assert verdict.export_id == "exp_3"
    best, runner_up = verdict.scores[0], verdict.scores[1]
    assert best.cells >= 110  # 40 rows x 3 marked columns, distinct values
    assert best.matched >= best.cells - 1  # all carry the mark (but 1 in 2**16)
    assert verdict.confidence >= 1 - 1e-6 and best.adjusted <= 1e-30
    assert runner_up.adjusted > 1e-6  # the other exports are not even close
    assert {c.column for c in best.columns} == {"ssn", "email", "name"}


def test_renamed_columns_are_still_found(tmp_path: Path) -> None:
    source = _source(120)
    mark = _mark()
    copy = _copy(tmp_path, source, "r.csv", mark).rename({"email": "E-Mail", "name": "who"})
    copy = copy.drop("card", "ssn")
    verdict = attribute(copy.sample(n=40, seed=1), [ExportCandidate("exp_r", mark, MARKED)])
    assert verdict.export_id == "exp_r"


def test_unrelated_and_unrecorded_files_match_nothing(tmp_path: Path) -> None:
    source = _source()
    recorded = {f"exp_{i}": _mark() for i in range(3)}
    candidates = [ExportCandidate(eid, m, MARKED) for eid, m in recorded.items()]
    unrecorded = _copy(tmp_path, source, "other.csv", _mark()).sample(n=50, seed=3)
    unmarked = _copy(tmp_path, source, "plain.csv", None).sample(n=50, seed=3)
    for sample in (unrecorded, unmarked, source.sample(n=50, seed=3)):
        verdict = attribute(sample, candidates)
        assert verdict.export_id is None and verdict.confidence == 0.0
        assert all(s.adjusted > 1e-6 for s in verdict.scores)
    assert attribute(source.head(0), candidates).export_id is None


def test_false_attribution_rate_is_calibrated(tmp_path: Path) -> None:
    """Under a wrong key each distinct value matches with probability 1/2."""
    copy = _copy(tmp_path, _source(200), "c.csv", _mark()).sample(n=30, seed=5)
    rates, low = [], 0
    for _ in range(200):
        score = attribute(copy, [ExportCandidate("x", _mark(), MARKED)]).scores[0]
        rates.append(score.matched / score.cells)
        low += score.p_value <= 0.01
    assert 0.46 < sum(rates) / len(rates) < 0.54
    assert low <= 8  # at most ~1% of wrong keys reach p <= 0.01 (binomial slack)


def test_binomial_tail_and_guards() -> None:
    assert binomial_tail(10, 0) == 1.0 and binomial_tail(10, 11) == 0.0
    assert binomial_tail(10, 10) == pytest.approx(2**-10)
    assert binomial_tail(4, 3) == pytest.approx(5 / 16)
    assert normalize_cell(" Ann-Marie.O'Neil@Mail.COM ") == "annmarieoneilmailcom"
    with pytest.raises(InvalidInput):
        ExportMark(Secret(b"short"))
    with pytest.raises(InvalidInput):
        attribute(pl.DataFrame(), [], alpha=0.0)
    assert "Secret" not in repr(_mark()) and VARIANTS == 16
