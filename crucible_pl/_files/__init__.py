"""Local data files: formats, Parquet scans and footers, conversion, the one atomic write.

Owns: which repo files are data and in which format (``formats``), scanning local
Parquet files and reading their footers (``parquet``), converting JSON Lines, JSON and
CSV to Parquet (``convert``), writing any file atomically with fsync (``atomic``), and
the ``crucible.lock`` format (``lockfile``).

May import: ``crucible_pl.errors`` only. Knows nothing of the Hub, the cache layout or
datasets.
"""
