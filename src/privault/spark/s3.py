"""S3 datasets through Spark's Python Data Source API (no hadoop-aws needed).

pyspark's bundled Hadoop has no ``s3a://`` filesystem, and its jars cannot be
fetched here, so S3 is read and written by Python on the executors:

```
driver:   list s3://bucket/prefix ─► one input partition per Parquet row group
          (or per CSV object), Hive keys (col=value/) become string columns
executor: pyarrow S3FileSystem ─► RecordBatch ─► Spark      (read)
          Spark ─► RecordBatch ─► part-<partition>-<job>.parquet  (write)
          commit: a _SUCCESS marker; abort: every object of the job deleted
```
Credentials and the endpoint are resolved on the driver (boto3's chain:
environment, profile, instance role) and bound to a data source class made
for the job: they travel inside the pickled reader/writer like the masking
key, never as a Spark option (options reach plans and the event log).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from pyspark import TaskContext
from pyspark.sql.datasource import (
    DataSource,
    DataSourceArrowWriter,
    DataSourceReader,
    InputPartition,
    WriterCommitMessage,
)
from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema
from pyspark.sql.types import StructType

from privault.core.errors import InvalidInput
from privault.core.secret import Secret

__all__ = ["S3Access", "S3Location", "register_s3_source"]

_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


@dataclass(frozen=True, slots=True)
class S3Location:
    """``s3://bucket/prefix`` split in two (the prefix without a trailing '/')."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> S3Location:
        """Parse ``s3://bucket[/prefix]``.

        Raises:
            InvalidInput: no bucket.

        """
        rest = url.removeprefix("s3://")
        bucket, _, prefix = rest.partition("/")
        if not bucket:
            raise InvalidInput("an S3 dataset needs a bucket: s3://BUCKET[/PREFIX]")
        return cls(bucket, prefix.strip("/"))

    @property
    def root(self) -> str:
        """``bucket/prefix`` as pyarrow's filesystem names it."""
        return f"{self.bucket}/{self.prefix}".rstrip("/")

    def __str__(self) -> str:
        return f"s3://{self.root}"


@dataclass(frozen=True, slots=True)
class S3Access:
    """Endpoint, region and credentials for pyarrow's S3 filesystem (repr hides secrets)."""

    endpoint: str | None = None
    region: str | None = None
    access_key: Secret[str] | None = None
    secret_key: Secret[str] | None = None
    session_token: Secret[str] | None = None

    @classmethod
    def from_boto(cls) -> S3Access:
        """Resolve what boto3 would use on this machine (env, profile, role, AWS_ENDPOINT_URL)."""
        import boto3

        session = boto3.Session()
        creds = session.get_credentials()
        endpoint = session.client("s3").meta.endpoint_url
        frozen = creds.get_frozen_credentials() if creds is not None else None
        return cls(
            endpoint=None if endpoint and "amazonaws.com" in endpoint else endpoint,
            region=session.region_name,
            access_key=Secret(str(frozen.access_key)) if frozen else None,
            secret_key=Secret(str(frozen.secret_key)) if frozen else None,
            session_token=Secret(frozen.token) if frozen and frozen.token else None,
        )

    def filesystem(self) -> pafs.S3FileSystem:
        """A pyarrow S3 filesystem for the driver."""
        return self.shippable().filesystem()

    def shippable(self) -> _FsArgs:
        """The filesystem arguments in a picklable holder that still never prints them."""
        args: dict[str, Any] = {"region": self.region or "us-east-1"}
        if self.endpoint:
            scheme, _, host = self.endpoint.rpartition("://")
            args |= {"endpoint_override": host or self.endpoint, "scheme": scheme or "https"}
        if self.access_key is not None and self.secret_key is not None:
            args |= {"access_key": self.access_key.reveal(), "secret_key": self.secret_key.reveal()}
            if self.session_token is not None:
                args["session_token"] = self.session_token.reveal()
        return _FsArgs(args)


class _FsArgs:
    """pyarrow S3 arguments shipped to executors (inside pickled tasks, never conf)."""

    __slots__ = ("_args",)

    def __init__(self, args: dict[str, Any]) -> None:
        self._args = args

    def __repr__(self) -> str:
        return "S3 arguments(***)"

    def filesystem(self) -> pafs.S3FileSystem:
        """Build the filesystem where it is used."""
        return pafs.S3FileSystem(**self._args)


def _objects(fs: pafs.S3FileSystem, where: S3Location) -> list[pafs.FileInfo]:
    try:
        infos = fs.get_file_info(
            pafs.FileSelector(where.root, recursive=True, allow_not_found=True)
        )
    except OSError as exc:
        raise InvalidInput(f"cannot list {where}: {type(exc).__name__}") from None
    return sorted(
        (
            i
            for i in infos
            if i.type == pafs.FileType.File and not i.base_name.startswith(("_", "."))
        ),
        key=lambda i: i.path,
    )


def _hive(path: str, root: str) -> list[tuple[str, str]]:
    """``col=value`` directories between the dataset root and the object."""
    parts = path[len(root) :].strip("/").split("/")[:-1]
    return [tuple(p.split("=", 1)) for p in parts if "=" in p]  # type: ignore[misc]  # pairs


def _format(objects: Sequence[pafs.FileInfo], where: S3Location) -> str:
    kinds = {_FORMATS.get(i.extension and f".{i.extension.lower()}", "") for i in objects} - {""}
    if len(kinds) != 1:
        found = ", ".join(sorted(kinds)) or "none"
        raise InvalidInput(f"{where}: expected Parquet or CSV objects only (found: {found})")
    return kinds.pop()


def _read_object(fs: pafs.S3FileSystem, path: str, fmt: str, group: int) -> pa.Table:
    if fmt == "parquet":
        with fs.open_input_file(path) as fh:
            return pq.ParquetFile(fh).read_row_group(group)
    with fs.open_input_stream(path) as fh:
        head = pacsv.read_csv(fh, read_options=pacsv.ReadOptions(block_size=1 << 16)).schema
    with fs.open_input_stream(path) as fh:
        types = {name: pa.string() for name in head.names}
        return pacsv.read_csv(fh, convert_options=pacsv.ConvertOptions(column_types=types))


class _Reader(DataSourceReader):
    def __init__(self, access: _FsArgs, where: S3Location, schema: StructType) -> None:
        self._access = access
        self._where = where
        self._schema = to_arrow_schema(schema)

    def partitions(self) -> Sequence[InputPartition]:
        fs = self._access.filesystem()
        objects = _objects(fs, self._where)
        fmt = _format(objects, self._where)
        parts: list[InputPartition] = []
        for info in objects:
            groups = 1
            if fmt == "parquet":
                with fs.open_input_file(info.path) as fh:
                    groups = max(1, pq.ParquetFile(fh).num_row_groups)
            parts += [InputPartition((info.path, fmt, g)) for g in range(groups)]
        return parts

    def read(self, partition: InputPartition) -> Iterator[pa.RecordBatch]:
        path, fmt, group = partition.value
        table = _read_object(self._access.filesystem(), path, fmt, group)
        for name, value in _hive(path, self._where.root):
            table = table.append_column(name, pa.array([value] * table.num_rows, pa.string()))
        yield from table.select(self._schema.names).cast(self._schema).to_batches()


class _Writer(DataSourceArrowWriter):
    def __init__(self, access: _FsArgs, where: S3Location, partition_by: list[str]) -> None:
        self._access = access
        self._where = where
        self._partition_by = partition_by
        self._job = uuid.uuid4().hex[:12]

    def write(self, iterator: Iterator[pa.RecordBatch]) -> WriterCommitMessage:
        ctx = TaskContext.get()
        part = ctx.partitionId() if ctx is not None else 0
        written: list[str] = []
        batches = list(iterator)
        if batches:
            pads.write_dataset(
                pa.Table.from_batches(batches),
                self._where.root,
                format="parquet",
                filesystem=self._access.filesystem(),
                partitioning=self._partition_by or None,
                partitioning_flavor="hive" if self._partition_by else None,
                basename_template=f"part-{part:05d}-{self._job}-{{i}}.parquet",
                existing_data_behavior="overwrite_or_ignore",
                file_visitor=lambda f: written.append(f.path),
            )
        return _Written(tuple(written))

    def commit(self, messages: list[WriterCommitMessage | None]) -> None:
        fs = self._access.filesystem()
        with fs.open_output_stream(f"{self._where.root}/_SUCCESS") as fh:
            fh.write(b"")

    def abort(self, messages: list[WriterCommitMessage | None]) -> None:
        fs = self._access.filesystem()
        for info in _objects(fs, self._where):
            if self._job in info.base_name:  # this job's objects, also of failed attempts
                fs.delete_file(info.path)


@dataclass(frozen=True)
class _Written(WriterCommitMessage):
    paths: tuple[str, ...]


def _schema_of(access: _FsArgs, where: S3Location) -> StructType:
    fs = access.filesystem()
    objects = _objects(fs, where)
    if not objects:
        raise InvalidInput(f"{where}: no Parquet or CSV objects under this prefix")
    fmt = _format(objects, where)
    first = objects[0]
    if fmt == "parquet":
        with fs.open_input_file(first.path) as fh:
            schema = pq.read_schema(fh)
    else:
        schema = _read_object(fs, first.path, fmt, 0).schema
    for name, _ in _hive(first.path, where.root):
        schema = schema.append(pa.field(name, pa.string()))
    return from_arrow_schema(schema)


def register_s3_source(spark: Any, access: S3Access) -> str:
    """Register a data source bound to ``access``; return its format name.

    Read with ``spark.read.format(name).load("s3://bucket/prefix")``; write
    with ``df.write.format(name).mode("append").option("partition_by", "a,b")
    .save("s3://bucket/prefix")``. Only the format name and the path are
    Spark options; ``access`` is captured by the class and its readers.
    """
    name = "privault_s3"

    class _Source(DataSource):
        _bound = access.shippable()

        @classmethod
        def name(cls) -> str:
            return name

        def schema(self) -> StructType:
            return _schema_of(self._bound, S3Location.parse(self.options["path"]))

        def reader(self, schema: StructType) -> DataSourceReader:
            return _Reader(self._bound, S3Location.parse(self.options["path"]), schema)

        def writer(self, schema: StructType, overwrite: bool) -> _Writer:
            parts = [c for c in self.options.get("partition_by", "").split(",") if c]
            return _Writer(self._bound, S3Location.parse(self.options["path"]), parts)

    spark.dataSource.register(_Source)
    return name


def s3_objects(access: S3Access, where: S3Location) -> list[str]:
    """Paths of the data objects under ``where`` (empty: a free destination)."""
    return [i.path for i in _objects(access.filesystem(), where)]


def s3_partition_columns(access: S3Access, where: S3Location) -> list[str]:
    """The Hive partition columns of the first object under ``where``."""
    objects = _objects(access.filesystem(), where)
    return [k for k, _ in _hive(objects[0].path, where.root)] if objects else []
