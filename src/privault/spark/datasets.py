"""Where Spark reads and writes: local Parquet/CSV directories, S3 prefixes, JDBC tables.

```
spec                                         kind     read by
lake/customers  (dir or file, .parquet/.csv) parquet  Spark's own Parquet / CSV reader
s3://bucket/prefix                           s3       privault's Python data source (s3.py)
jdbc:postgresql://h:5432/db::public.crm      jdbc     Spark's JDBC reader + Debian's driver
postgresql+psycopg://u:p@h/db::crm           jdbc     (SQLAlchemy URLs as ``privault scan``)
sqlite:///crm.db::customers                  jdbc
```
Credentials in a URL (user, password) are taken out of it and passed as
JDBC properties; Spark redacts ``password`` (``spark.redaction.regex``) in
plans and the event log, and the URL it sees carries none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from pyspark.sql import DataFrame

from privault.core.errors import InvalidInput, NotFound
from privault.core.secret import Secret
from privault.spark.s3 import S3Access, S3Location, register_s3_source, s3_objects
from privault.spark.sample import partition_columns
from privault.spark.session import jdbc_driver

__all__ = ["SparkDataset", "parse_dataset", "parse_destination"]

_IDENT = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$")
_DATA_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


@dataclass(frozen=True, slots=True)
class SparkDataset:
    """One dataset Spark reads or writes (its ``str`` never shows credentials).

    Attributes:
        kind: ``parquet`` or ``csv`` (local or any Hadoop path), ``s3``, ``jdbc``.
        location: the path, ``s3://`` URL or JDBC URL (without credentials).
        table: the JDBC table (``schema.table`` or ``table``).
        user: the JDBC user.
        password: the JDBC password.

    """

    kind: str
    location: str
    table: str | None = None
    user: str | None = None
    password: Secret[str] | None = field(default=None, repr=False)

    def __str__(self) -> str:
        return f"{self.location}::{self.table}" if self.table else self.location

    @property
    def name(self) -> str:
        """A short display name (the table, or the last path element)."""
        return self.table or self.location.rstrip("/").rsplit("/", 1)[-1]

    @property
    def protocol(self) -> str:
        """``postgresql`` for ``jdbc:postgresql:…``."""
        return self.location.split(":", 2)[1] if self.kind == "jdbc" else ""


def _local_format(path: Path) -> str:
    if path.is_file():
        return _DATA_SUFFIXES.get(path.suffix.lower(), "parquet")
    for item in sorted(path.rglob("*")):
        if item.is_file() and not item.name.startswith(("_", ".")):
            kind = _DATA_SUFFIXES.get(item.suffix.lower())
            if kind is not None:
                return kind
    return "parquet"


def _jdbc(url: str, table: str) -> SparkDataset:
    if not _IDENT.match(table):
        raise InvalidInput("a JDBC table is NAME or SCHEMA.NAME (letters, digits, '_')")
    if url.startswith("jdbc:"):
        base, _, query = url.partition("?")
        params = dict(parse_qsl(query))
        user, password = params.pop("user", None), params.pop("password", None)
        clean = f"{base}?{urlencode(params)}" if params else base
        return SparkDataset(
            "jdbc", clean, table, user, Secret(password) if password is not None else None
        )
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput("not a database URL (expected jdbc:… or a SQLAlchemy URL)") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database:
            raise InvalidInput("a SQLite URL needs a file: sqlite:///path.db::table")
        location = f"jdbc:sqlite:{Path(parsed.database).resolve()}"
    elif backend == "postgresql":
        port = f":{parsed.port}" if parsed.port else ""
        query = f"?{urlencode(dict(parsed.query))}" if parsed.query else ""
        location = f"jdbc:postgresql://{parsed.host or 'localhost'}{port}/{parsed.database}{query}"
    else:
        raise InvalidInput(f"no Spark JDBC support for {backend} URLs (postgresql, sqlite)")
    secret = Secret(parsed.password) if parsed.password is not None else None
    return SparkDataset("jdbc", location, table, parsed.username, secret)


def parse_dataset(spec: str, *, must_exist: bool = True) -> SparkDataset:
    """Parse a dataset spec (see the module table).

    Raises:
        InvalidInput: a malformed URL or table name.
        NotFound: a local source path that does not exist (``must_exist``).

    """
    if spec.startswith("s3://"):
        return SparkDataset("s3", str(S3Location.parse(spec)))
    url, sep, table = spec.rpartition("::")
    if sep and url and ("://" in url or url.startswith("jdbc:")):
        return _jdbc(url, table)
    if spec.startswith("jdbc:") or "://" in spec:
        raise InvalidInput("a database source needs its table: URL::TABLE")
    path = Path(spec)
    if must_exist and not path.exists():
        raise NotFound(f"{path}: no such dataset")
    kind = _local_format(path) if path.exists() else _DATA_SUFFIXES.get(path.suffix, "parquet")
    return SparkDataset(kind, str(path))


def parse_destination(spec: str, source: SparkDataset) -> SparkDataset:
    """A destination spec; a local path without a suffix takes the source's format."""
    dest = parse_dataset(spec, must_exist=False)
    local = ("parquet", "csv")
    if dest.kind in local and source.kind in local and not Path(dest.location).suffix:
        return replace(dest, kind=source.kind)
    return dest


def _jdbc_props(ds: SparkDataset) -> dict[str, str]:
    props = {"driver": jdbc_driver(ds.protocol)}
    if ds.user:
        props["user"] = ds.user
    if ds.password is not None:
        props["password"] = ds.password.reveal()
    return props


def read(spark: Any, ds: SparkDataset, s3: S3Access | None = None) -> DataFrame:
    """Read ``ds`` as a DataFrame (CSV: header row, every column a string)."""
    frame: DataFrame
    if ds.kind == "parquet":
        frame = spark.read.parquet(ds.location)
    elif ds.kind == "csv":
        frame = spark.read.option("header", "true").csv(ds.location)
    elif ds.kind == "s3":
        name = register_s3_source(spark, s3 or S3Access.from_boto())
        frame = spark.read.format(name).load(ds.location)
    else:
        frame = spark.read.jdbc(ds.location, ds.table, properties=_jdbc_props(ds))
    return frame


def partitioning(ds: SparkDataset, s3: S3Access | None = None) -> tuple[str, ...]:
    """The Hive partition columns of a dataset (JDBC tables: none)."""
    if ds.kind in ("parquet", "csv"):
        root = Path(ds.location)
        return tuple(partition_columns(root)) if root.is_dir() else ()
    if ds.kind == "s3":
        from privault.spark.s3 import s3_partition_columns

        return tuple(
            s3_partition_columns(s3 or S3Access.from_boto(), S3Location.parse(ds.location))
        )
    return ()


def write(
    spark: Any,
    frame: DataFrame,
    ds: SparkDataset,
    partition_by: tuple[str, ...] = (),
    s3: S3Access | None = None,
) -> None:
    """Write ``frame`` to ``ds`` (a path, S3 prefix or JDBC table that must be new)."""
    if ds.kind in ("parquet", "csv"):
        writer: Any = frame.write.mode("error")
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        if ds.kind == "csv":
            writer.option("header", "true").csv(ds.location)
        else:
            writer.parquet(ds.location)
    elif ds.kind == "s3":
        name = register_s3_source(spark, s3 or S3Access.from_boto())
        writer = frame.write.format(name).mode("append")
        writer.option("partition_by", ",".join(partition_by)).save(ds.location)
    else:
        assert ds.table is not None  # parse_dataset gives every JDBC dataset a table
        mode = "error"
        if ds.protocol == "sqlite":
            # Spark cannot tell "no such table" from other SQLite errors: create it here.
            if not jdbc_execute(spark, ds, _sqlite_create(ds.table, frame)):
                raise InvalidInput(f"{ds.table}: cannot create the table")
            frame, mode = frame.coalesce(1), "append"  # one writer: SQLite locks per file
        frame.write.jdbc(ds.location, ds.table, mode=mode, properties=_jdbc_props(ds))


def _sqlite_create(table: str, frame: DataFrame) -> str:
    """``CREATE TABLE`` for ``frame``'s columns with SQLite's type affinities."""
    affinity = {"string": "TEXT", "double": "REAL", "float": "REAL", "boolean": "INTEGER"}
    columns = []
    for f in frame.schema.fields:
        kind = f.dataType.typeName()
        sql = (
            "INTEGER"
            if kind in ("integer", "long", "short", "byte")
            else affinity.get(kind, "TEXT")
        )
        columns.append('"{}" {}'.format(f.name.replace('"', '""'), sql))
    return f"CREATE TABLE {table} ({', '.join(columns)})"


def _connection(spark: Any, ds: SparkDataset) -> Any:
    jvm = spark.sparkContext._jvm
    props = jvm.java.util.Properties()
    for key, value in _jdbc_props(ds).items():
        if key != "driver":
            props.setProperty(key, value)
    jvm.java.lang.Class.forName(_jdbc_props(ds)["driver"])
    return jvm.java.sql.DriverManager.getConnection(ds.location, props)


def jdbc_execute(spark: Any, ds: SparkDataset, statement: str) -> bool:
    """Run one DDL statement (built from validated identifiers); False if it failed."""
    conn = _connection(spark, ds)
    try:
        conn.createStatement().execute(statement)
        return True
    except Exception:  # a SQLException through py4j: the caller decides what it means
        return False
    finally:
        conn.close()


def exists(spark: Any, ds: SparkDataset, s3: S3Access | None = None) -> bool:
    """True when a destination already holds data."""
    if ds.kind in ("parquet", "csv"):
        return Path(ds.location).exists()
    if ds.kind == "s3":
        return bool(s3_objects(s3 or S3Access.from_boto(), S3Location.parse(ds.location)))
    return jdbc_execute(spark, ds, f"SELECT 1 FROM {ds.table} WHERE 1 = 0")  # noqa: S608 - validated identifier
