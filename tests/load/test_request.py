"""The load request: every option checked once, before any request, for load_lazy, load and info."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import crucible_pl
from crucible_pl import errors
from crucible_pl._load.request import SYNTHETIC_ROWS, LoadRequest
from crucible_pl.testing import LocalHub


def test_build_gathers_checked_options() -> None:
    request = LoadRequest.build(
        "gsm8k", "test[:5]+train", columns=["id", "input"], token="hf_secret", seed=3
    )
    assert (request.name, request.repo, request.config, request.revision) == (
        "gsm8k",
        "openai/gsm8k",
        "main",
        "main",
    )
    assert request.split is not None
    assert request.split.names == ("test", "train")
    assert request.columns == ("id", "input")
    assert (request.source, request.n, request.seed, request.offline) == (
        "hub",
        SYNTHETIC_ROWS,
        3,
        False,
    )
    assert request.spec is not None
    assert request.spec.name == "gsm8k"


def test_a_repo_id_has_no_spec_and_keeps_its_config() -> None:
    request = LoadRequest.build("openai/gsm8k", config="main", revision="v1.0")
    assert (request.spec, request.repo, request.config, request.revision) == (
        None,
        "openai/gsm8k",
        "main",
        "v1.0",
    )


def test_the_token_never_shows_in_the_repr() -> None:
    request = LoadRequest.build("gsm8k", token="hf_very_secret")
    assert "hf_very_secret" not in repr(request)
    assert request.token == "hf_very_secret"


def test_offline_follows_the_environment_unless_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert LoadRequest.build("gsm8k").offline is True
    assert LoadRequest.build("gsm8k", offline=False).offline is False


def test_the_request_is_frozen() -> None:
    request = LoadRequest.build("gsm8k")
    with pytest.raises(AttributeError):
        request.raw = True  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name": 42}, errors.InvalidInputError, "must be a string"),
        ({"name": "no such/../name"}, errors.InvalidRepoIdError, "Invalid dataset id"),
        ({"name": "gsm8k", "config": "nope"}, errors.ConfigNotFoundError, "not a config of gsm8k"),
        ({"name": "gsm8k", "split": "test[:x]"}, errors.InvalidSplitError, "test"),
        ({"name": "gsm8k", "columns": "id"}, errors.InvalidInputError, "list of column names"),
        ({"name": "gsm8k", "revision": "../main"}, errors.InvalidInputError, "Invalid revision"),
        ({"name": "gsm8k", "source": "disk"}, errors.InvalidInputError, "source='disk'"),
        ({"name": "gsm8k", "n": 5}, errors.InvalidInputError, "only applies to source='synthetic'"),
        (
            {"name": "gsm8k", "source": "synthetic", "n": -1},
            errors.InvalidInputError,
            "non-negative integer",
        ),
        (
            {"name": "openai/gsm8k", "source": "synthetic"},
            errors.InvalidInputError,
            "needs a registered dataset name",
        ),
    ],
)
def test_bad_options_fail_in_build(kwargs: dict[str, object], error: type, match: str) -> None:
    name = kwargs.pop("name")
    with pytest.raises(error, match=match):
        LoadRequest.build(name, **kwargs)  # type: ignore[arg-type]


def test_info_checks_its_options_like_load_lazy(make_hub: Callable[..., LocalHub]) -> None:
    """info() builds the same request: a bad config of a registered name fails before any
    request, with the same error as load_lazy."""
    hub = make_hub()
    for call in (
        lambda: crucible_pl.load_lazy("gsm8k", config="nope"),
        lambda: crucible_pl.load("gsm8k", config="nope"),
        lambda: crucible_pl.info("gsm8k", config="nope"),
    ):
        with pytest.raises(errors.ConfigNotFoundError, match="'nope' is not a config of gsm8k"):
            call()
    assert hub.requests == []
