"""Building the frame of a load: the request, its sources, the normalized cache, ``info``.

Owns: the one load request, checked once (``request``); where rows come from, behind
one interface (``source``) with one module per source (``source_hub``,
``source_synthetic``); the canonical rows of a registered dataset, computed once
(``normalized``); the steps every source shares and the provenance of the result
(``frame``, ``provenance``); describing a dataset for ``info()`` (``describe``).

May import: ``_hub``, ``_cache``, ``_files``, ``_config``, ``_validate``, ``_split``,
``registry`` and ``errors``. Nothing above it (the public API, ``Dataset``, scoring).
"""
