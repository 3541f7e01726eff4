"""Scale-out stage: batch analysis on a Dask cluster and partitioned Parquet datasets.

:func:`ingest_dask` runs the pipeline's analysis on Dask workers; :mod:`.dataset` writes and
reads the Parquet dataset (articles, entities, mentions, events) it can produce. See
``docs/scale.md`` for running on a multi-machine cluster.
"""

from .dataset import TABLES, read_records, write_partition
from .engine import analyse_partition, ingest_dask

__all__ = ["TABLES", "analyse_partition", "ingest_dask", "read_records", "write_partition"]
