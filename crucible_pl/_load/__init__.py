"""Building the frame of a load: the request, its sources, the normalized cache, ``info``.

Owns: the one load request, validated once (``request``); where rows come from, one
source per file behind one interface (``sources``: the Hub, synthetic data); the
canonical rows of a registered dataset, computed once (``normalized``); the frame and
its provenance (``frame``, ``provenance``); describing a dataset for ``info``
(``describe``).

May import: ``_hub``, ``_cache``, ``_files``, ``_config``, ``_validate``, ``_split``,
``registry`` and ``errors``. Nothing above it (the public API, ``Dataset``, scoring).
"""
