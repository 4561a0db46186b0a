"""The pack parser: the shipped pack is valid and says it is ours; bad packs fail on one line
naming the field."""

from __future__ import annotations

import pytest

from portfolio.models import YearlyFigures
from scoring.engine.pack import FIGURES, PackError, load_shipped_pack, parse_pack, raw_shipped_pack
from tests.scoring.packs import small_raw


def test_the_shipped_pack_is_ours_and_says_the_official_weights_are_not_loaded():
    pack = load_shipped_pack()
    assert pack.label == "ours"
    assert "official weights not yet loaded" in pack.source
    assert pack.is_unverified("data.indicators.rd_growth.weights")
    assert [key for key, _ in pack.groups] == ["technology", "growth", "auxiliary"]
    assert [s.key for s in pack.stages] == ["startup", "growth", "stable"]


def test_every_figure_the_engine_reads_is_a_yearly_figures_field():
    fields = {f.name for f in YearlyFigures._meta.get_fields()}
    assert set(FIGURES) <= fields


def test_each_stage_of_the_shipped_pack_weighs_the_scale():
    pack = load_shipped_pack()
    for stage in pack.stages:
        assert sum(i.weights[stage.key] for i in pack.indicators) == pack.scale


def _error(raw) -> str:
    with pytest.raises(PackError) as error:
        parse_pack(raw)
    return str(error.value)


def test_weights_that_do_not_add_up_are_refused_naming_the_stage():
    raw = small_raw()
    raw["data"]["indicators"][0]["weights"]["young"] = 49
    assert (
        _error(raw)
        == "test-small-1: data.indicators: the weights of stage young add up to 99, not the scale 100"
    )


def test_an_unknown_figure_is_refused_with_its_path():
    raw = small_raw()
    raw["data"]["indicators"][0]["compute"] = {"figure": "pct_applications"}
    message = _error(raw)
    assert message.startswith("test-small-1: data.indicators.rd.compute.figure:")


def test_growth_needs_two_years():
    raw = small_raw()
    raw["data"]["indicators"][2]["period_years"] = 1
    assert "data.indicators.growth.period_years: must be 2" in _error(raw)


def test_a_float_share_is_refused():
    assert "data.min_completeness" in _error(small_raw(min_completeness=0.5))


def test_only_the_last_stage_takes_the_rest():
    raw = small_raw()
    raw["data"]["stages"].reverse()
    assert "data.stages.mature" in _error(raw)


def test_unverified_paths_must_name_fields_and_may_name_list_items_by_key():
    raw = small_raw()
    raw["unverified"] = ["data.indicators.rd.weights"]
    assert parse_pack(raw).is_unverified("data.indicators.rd")
    raw["unverified"] = ["data.indicators.nope"]
    assert "unverified: names data.indicators.nope" in _error(raw)


def test_unknown_fields_are_refused():
    raw = raw_shipped_pack()
    raw["data"]["weights_official"] = True
    assert _error(raw).endswith("data.weights_official: is not a known field")
