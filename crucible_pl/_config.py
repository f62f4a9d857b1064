"""Every environment variable crucible-pl reads, read here and at call time.

An explicit argument beats the environment, which beats the default. The ``HF_*``
variables are the ones huggingface_hub defines; we read them ourselves at call
time (huggingface_hub reads some of them once, at import) and pass the values to
it explicitly, so changing the environment between calls takes effect.

Examples
--------
>>> import os
>>> from crucible_pl import _config
>>> _config.is_offline(True)
True
>>> _config.endpoint() == os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
True
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InvalidInputError

__all__ = [
    "DEFAULT_ENDPOINT",
    "allow_code_execution",
    "crucible_cache_dir",
    "endpoint",
    "hf_home",
    "hub_cache_dir",
    "is_offline",
    "token",
]

DEFAULT_ENDPOINT = "https://huggingface.co"
_TRUE = {"1", "on", "yes", "true", "y", "t"}


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def _flag(name: str) -> bool:
    return (os.environ.get(name) or "").strip().lower() in _TRUE


def hf_home() -> Path:
    """``HF_HOME``, else ``$XDG_CACHE_HOME/huggingface``, else ``~/.cache/huggingface``."""
    if (home := _env("HF_HOME")) is not None:
        return Path(home).expanduser()
    xdg = _env("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "huggingface"


def hub_cache_dir() -> Path:
    """The standard huggingface_hub cache: ``HF_HUB_CACHE``, else ``HF_HOME/hub``."""
    if (cache := _env("HF_HUB_CACHE")) is not None:
        return Path(cache).expanduser()
    return hf_home() / "hub"


def crucible_cache_dir() -> Path:
    """Where our small manifests and converted Parquet files live.

    ``CRUCIBLE_PL_CACHE``, else the platform's user cache dir for ``crucible-pl``.
    """
    if (cache := _env("CRUCIBLE_PL_CACHE")) is not None:
        return Path(cache).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("crucible-pl", appauthor=False))


def endpoint() -> str:
    """The Hub endpoint: ``HF_ENDPOINT`` without a trailing slash, else the public Hub."""
    return (_env("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def token(explicit: str | None = None) -> str | None:
    """The token to send: the explicit one, else ``HF_TOKEN``, else ``None``.

    ``None`` lets huggingface_hub fall back to a token saved by ``hf auth login``.
    """
    return explicit if explicit else _env("HF_TOKEN")


def lock_file(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The lock file loads follow: the explicit path, else ``CRUCIBLE_PL_LOCK``, else none."""
    if explicit is not None:
        return Path(explicit)
    value = _env("CRUCIBLE_PL_LOCK")
    return Path(value) if value else None


def is_offline(explicit: bool | None = None) -> bool:
    """Offline mode: the explicit flag, else ``HF_HUB_OFFLINE`` (1/true/yes/on).

    An explicit ``False`` wins over ``HF_HUB_OFFLINE=1``; a non-bool (``"no"``) is refused.
    """
    if explicit is not None:
        return _check_bool(explicit, "offline")
    return _flag("HF_HUB_OFFLINE")


def allow_code_execution(explicit: bool | None = None) -> bool:
    """Running predictions as code: the explicit flag, else ``CRUCIBLE_PL_ALLOW_CODE_EXECUTION``.

    Off unless the flag is ``True`` or the variable is 1/true/yes/on.
    """
    if explicit is not None:
        return _check_bool(explicit, "allow_code_execution")
    return _flag("CRUCIBLE_PL_ALLOW_CODE_EXECUTION")


def _check_bool(value: object, name: str) -> bool:
    """``value`` when it is a bool; ``"no"`` or ``0`` would otherwise read as a flag."""
    if not isinstance(value, bool):
        raise InvalidInputError(
            f"Invalid {name}={value!r}: expected True, False or None (the environment "
            f"decides), e.g. {name}=False."
        )
    return value
