"""The Hub: the huggingface_hub client, revision and layout resolution, fetching a split.

Owns: every request to the Hub (``client``; Parquet footers by Range requests in
``footers``; the session settings they share in ``session``) and the translation of its
errors (``translate``), the only modules that import ``huggingface_hub``; how a repo's
files form configs and splits (``datafiles``, with ``globs`` for the patterns);
revision -> commit sha -> layout, remembered in manifests (``resolve``); downloading,
converting and checking the files of one split (``fetch``).

May import: ``_cache``, ``_files``, ``_config``, ``_validate`` and ``errors``.
"""
