"""The huggingface_hub session settings every request of the Hub layer runs under.

huggingface_hub's offline flag lifted while crucible-pl, having decided to go online,
makes a request (so an explicit ``offline=False`` beats ``HF_HUB_OFFLINE=1``); its
request timeout; one GET with its retries (a timeout gets one more try, not a loop);
progress bars switched off.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from .translate import (
    is_timeout,
    retry_exceptions,
)

if TYPE_CHECKING:
    import httpx2

__all__ = [
    "LIBRARY",
    "get",
    "offline_mode_lifted",
    "online",
    "progress_bars_off",
    "request_timeout",
]

logger = logging.getLogger(__name__)

_P = ParamSpec("_P")


_T = TypeVar("_T")


LIBRARY = "crucible-pl"


_lift_lock = threading.Lock()


_lifts = 0


_saved_offline: bool | None = None


@contextlib.contextmanager
def offline_mode_lifted() -> Iterator[None]:
    """Lift huggingface_hub's offline flag (read once, at its import) for the context.

    Every request of this module runs inside it: this module is only called once the
    load decided to go online, which with ``HF_HUB_OFFLINE=1`` set means the caller
    passed ``offline=False`` explicitly, and that must win (huggingface_hub would
    refuse every request). Counted, so concurrent downloads restore the flag only
    when the last one ends; other code in the process sees it lifted meanwhile.
    """
    from huggingface_hub import constants

    global _lifts, _saved_offline
    with _lift_lock:
        if _lifts == 0:
            _saved_offline = constants.HF_HUB_OFFLINE
            constants.HF_HUB_OFFLINE = False
        _lifts += 1
    try:
        yield
    finally:
        with _lift_lock:
            _lifts -= 1
            if _lifts == 0:
                constants.HF_HUB_OFFLINE = bool(_saved_offline)


def online(function: Callable[_P, _T]) -> Callable[_P, _T]:
    """Run ``function`` with huggingface_hub's offline flag lifted (see above)."""

    @functools.wraps(function)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        with offline_mode_lifted():
            return function(*args, **kwargs)

    return wrapper


def request_timeout() -> float:
    """huggingface_hub's timeout for requests other than file metadata (10 s by default)."""
    from huggingface_hub import constants

    return float(constants.HF_HUB_DOWNLOAD_TIMEOUT)


def get(url: str, *, token: str | None, headers: dict[str, str] | None = None) -> httpx2.Response:
    """GET through huggingface_hub's ``http_backoff``, raising its errors for HTTP statuses."""
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status, http_backoff

    def attempt() -> httpx2.Response:
        return http_backoff(
            "GET",
            url,
            headers={**build_hf_headers(token=token, library_name=LIBRARY), **(headers or {})},
            timeout=request_timeout(),
            retry_on_exceptions=retry_exceptions(),
            follow_redirects=True,
        )

    try:
        response = attempt()
    except Exception as err:
        if not is_timeout(err):
            raise
        logger.warning("No answer from %s within %.0f s; trying once more", url, request_timeout())
        response = attempt()
    hf_raise_for_status(response)
    return response


def progress_bars_off() -> contextlib.AbstractContextManager[object]:
    """Disable huggingface_hub's progress bars until the context ends.

    When ``HF_HUB_DISABLE_PROGRESS_BARS`` is set it decides (changing it would warn),
    and this is a no-op.
    """
    from huggingface_hub import constants
    from huggingface_hub.utils import disable_progress_bars

    if constants.HF_HUB_DISABLE_PROGRESS_BARS is not None:
        return contextlib.nullcontext()
    return disable_progress_bars()
