"""Our cache on disk: every path, the manifest formats, damage checks, and its admin.

Owns: where everything cached lies, ours and the Hugging Face cache's (``paths``: the
only module that builds a cache path); each manifest format with its one reader and one
writer (``manifests``); huggingface_hub's own records in the HF cache, read for
offline loads of what other tools downloaded (``hf_cache``); the checks that a cached
file is still whole (``damage``);
listing and verifying what is cached (``entries``), the files interrupted loads leave
(``leftovers``), and removing it all (``admin``).

May import: ``_files``, ``_config``, ``_validate``, ``_split``, ``registry`` (to turn a
registered name into its repo) and ``errors``. Never ``huggingface_hub``, never the
network.
"""
