"""Our cache on disk: every path, the manifest formats, damage checks, and its admin.

Owns: where everything cached lies, ours and the Hugging Face cache's (``paths``); each
manifest format with its one reader and one writer (``manifests``); the checks that a
cached file is still whole (``damage``); listing, removing and verifying what is cached
(``admin``, ``removal``).

May import: ``_files``, ``_config``, ``_validate``, ``_split``, ``registry`` (names only)
and ``errors``. Never ``huggingface_hub``, never the network.
"""
