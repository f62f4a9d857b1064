"""Ray Data: a Dataset's rows as a ``ray.data.Dataset`` (the optional ``ray`` extra).

The rows are what the Dataset holds (:meth:`Dataset.to_ray <crucible_pl.Dataset.to_ray>`).
A whole split of a named dataset is read by the workers from the normalized cache's
Parquet file, which holds every canonical column: no crucible-pl code runs on them and
the rows never pass through the driver. Anything else (after sampling, sharding or
filters, or raw columns) is collected once on the driver as Arrow and split into
blocks that Ray's workers then process.

Examples
--------
>>> from crucible_pl._bridges.ray import block_count
>>> block_count(10_000, cpus=2)
8
"""

from __future__ import annotations

from typing import Any

from crucible_pl.errors import InvalidInputError, MissingDependencyError

from ._protocol import DatasetLike

__all__ = ["block_count", "to_ray"]

_INSTALL = "pip install 'crucible-pl[ray]'"


def block_count(rows: int, *, cpus: int) -> int:
    """Blocks for ``rows`` rows: four per CPU, no more than one per row, at least one."""
    return max(1, min(rows, 4 * max(cpus, 1)))


def to_ray(ds: DatasetLike, *, blocks: int | None = None, stored: str | None = None) -> Any:
    """The rows of ``ds`` as a ``ray.data.Dataset``, in order, split into ``blocks``.

    Parameters
    ----------
    ds
        A :class:`~crucible_pl.Dataset`.
    blocks
        How many blocks (Ray's unit of parallel work); four per CPU of the cluster
        by default.
    stored
        A Parquet file whose rows are exactly ``ds``'s rows, in order, with its
        columns among the file's (a whole split's normalized cache file): read by
        Ray's workers, only ``ds``'s columns. ``None`` collects ``ds`` on the driver.

    Returns
    -------
    ray.data.Dataset
        The same rows and columns (Arrow types), ``count()`` equal to ``len(ds)``.

    Raises
    ------
    MissingDependencyError
        Ray is not installed.
    InvalidInputError
        ``blocks`` is not a positive integer.
    """
    try:
        import ray
        import ray.data
    except ImportError as err:
        raise MissingDependencyError(
            f"Dataset.to_ray needs Ray Data (the optional 'ray' extra): {_INSTALL}."
        ) from err
    if blocks is not None and (
        isinstance(blocks, bool) or not isinstance(blocks, int) or blocks < 1
    ):
        raise InvalidInputError(f"Invalid blocks={blocks!r}: expected an int >= 1.")
    if stored:
        return ray.data.read_parquet([stored], columns=ds.columns, override_num_blocks=blocks)
    table = ds.collect().to_arrow()
    cpus = int(ray.cluster_resources().get("CPU", 1)) if ray.is_initialized() else 1
    count = blocks or block_count(table.num_rows, cpus=cpus)
    size = -(-table.num_rows // count) if table.num_rows else 0
    pieces = (
        [table.slice(start, size) for start in range(0, table.num_rows, size)] if size else [table]
    )
    return ray.data.from_arrow(pieces)
