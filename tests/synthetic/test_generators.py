"""crucible_pl._synthetic: one generator per registered dataset, with the registry's raw schema."""

from __future__ import annotations

import polars as pl
import pytest

from crucible_pl import _synthetic
from crucible_pl.errors import ConfigNotFoundError
from crucible_pl.registry import all_specs, get_spec
from crucible_pl.registry._spec import DatasetSpec, SyntheticRequest

SPECS = {spec.name: spec for spec in all_specs()}


def test_every_registered_dataset_has_exactly_one_generator() -> None:
    assert set(_synthetic.GENERATORS) == set(SPECS)


def test_registry_specs_carry_no_generator_of_their_own() -> None:
    # The registry holds schemas and normalizers; the generators live in _synthetic.
    for spec in SPECS.values():
        assert spec.synthetic is None, spec.name
        assert all(v.synthetic is None for v in spec.variants.values()), spec.name


@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_config_generates_the_raw_schema_deterministically(name: str) -> None:
    spec = SPECS[name]
    for hub_config in sorted({f.config for f in spec.hub_files}):
        make = _synthetic.generator_for(spec, hub_config)
        assert make is not None
        split = next(f.split for f in spec.hub_files if f.config == hub_config)
        first = make(SyntheticRequest(hub_config, split, 6, seed=4))
        again = make(SyntheticRequest(hub_config, split, 6, seed=4))
        assert first.height == 6
        assert first.equals(again)
        schema = spec.for_config(hub_config).raw_schema.get(hub_config) or spec.raw_schema.get(
            hub_config
        )
        if schema:
            assert first.cast(pl.Schema(schema)).schema == pl.Schema(schema)


def test_a_spec_of_ones_own_brings_its_generator() -> None:
    def mine(req: SyntheticRequest) -> pl.DataFrame:
        return pl.DataFrame({"q": ["x"] * req.n})

    gsm8k = get_spec("gsm8k")
    spec = DatasetSpec(**{**gsm8k.__dict__, "name": "mine", "synthetic": mine})
    assert _synthetic.generator_for(spec, "main") is mine
    unknown = DatasetSpec(**{**gsm8k.__dict__, "name": "unknown_one"})
    assert _synthetic.generator_for(unknown, "main") is None


def test_an_unknown_config_is_refused_by_name() -> None:
    make = _synthetic.generator_for(get_spec("hh_rlhf"), "default")
    assert make is not None
    with pytest.raises(ConfigNotFoundError, match="No synthetic rows for config 'nope'"):
        make(SyntheticRequest("nope", "train", 1))
