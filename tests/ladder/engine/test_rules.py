import copy
import datetime
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ladder.engine.bands import Bound
from ladder.engine.reader import RuleDataError
from ladder.engine.rules import (
    NoRulesInForce,
    load_shipped_rules,
    parse_ruleset,
    raw_shipped_rules,
    rules_in_force,
)


def tsme_raw():
    return copy.deepcopy(raw_shipped_rules()["tsme"][-1])


def test_shipped_rules_load_and_mark_unverified_values():
    rulesets = {rs.version: rs for rs in load_shipped_rules()}
    assert set(rulesets) == {"tsme-2017", "tsme-2022", "hnte-2016", "incubator-2018"}
    assert all(
        rs.effective_precision == "year" and "effective_from" in rs.unverified for rs in rulesets.values()
    )
    assert rulesets["incubator-2018"].is_unverified("data.clock.extended_fields")
    assert rulesets["hnte-2016"].is_unverified("data.innovation.growth")
    assert not rulesets["hnte-2016"].is_unverified("data.rd_domestic")
    assert rulesets["tsme-2022"].source == "国科发政〔2017〕115号; 国科火字〔2022〕67号"


@pytest.mark.parametrize(
    ("bound", "x", "holds"),
    [
        (Bound("min", 5, True), 5, True),
        (Bound("min", 5, False), 5, False),
        (Bound("max", 5, True), 5, True),
        (Bound("max", 5, False), 5, False),
        (Bound("min", 5, False), 6, True),
        (Bound("max", 5, False), 4, True),
    ],
)
def test_bound_inclusivity(bound, x, holds):
    assert bound.holds(x) is holds


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda r: r["data"]["tech_staff"]["bands"][1].update(min=0.25),
            "tsme-2022: data.tech_staff.bands[1].min",
        ),
        (
            lambda r: r["data"]["tech_staff"]["bands"][1].update(min="0.35"),
            "bands must go from the highest bound down",
        ),
        (lambda r: r["data"]["gates"].pop("revenue"), "data.gates.revenue: is missing"),
        (lambda r: r["data"]["gates"].update(staff=1), "data.gates.staff: is not a known field"),
        (lambda r: r["data"]["rd_cost"]["bands"][0].update(points=60), "exceeds the table's max 50"),
        (lambda r: r.update(effective_precision="week"), "tsme-2022: effective_precision: must be one of"),
        (lambda r: r.update(effective_from="2022-13-01"), "effective_from: must be a date"),
        (lambda r: r.update(unverified=["data.nothing"]), "unverified: names data.nothing"),
        (lambda r: r["data"].update(direct_pass=["bribe"]), "bribe is not one of"),
    ],
)
def test_invalid_data_is_one_line_naming_version_and_path(mutate, message):
    raw = tsme_raw()
    mutate(raw)
    with pytest.raises(RuleDataError) as error:
        parse_ruleset(raw, rule="tsme")
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_no_rules_in_force_before_the_first_version():
    with pytest.raises(NoRulesInForce, match="No tsme rules were in force on 2016-12-31"):
        rules_in_force("tsme", datetime.date(2016, 12, 31), load_shipped_rules())


def test_evaluation_names_map_to_the_incubation_family():
    rulesets = load_shipped_rules()
    assert rules_in_force("graduation", datetime.date(2025, 1, 1), rulesets).version == "incubator-2018"
    assert rules_in_force("tsme", datetime.date(2021, 12, 31), rulesets).version == "tsme-2017"
    assert rules_in_force("tsme", datetime.date(2022, 1, 1), rulesets).version == "tsme-2022"


BASE = load_shipped_rules()[0]
days = st.integers(min_value=0, max_value=20000).map(
    lambda n: datetime.date(1990, 1, 1) + datetime.timedelta(n)
)


@given(effective=st.lists(days, min_size=1, max_size=6, unique=True), on=days)
def test_the_version_in_force_is_the_latest_effective_on_or_before_the_date(effective, on):
    rulesets = [replace(BASE, version=f"v{i}", effective_from=day) for i, day in enumerate(effective)]
    started = [day for day in effective if day <= on]
    if not started:
        with pytest.raises(NoRulesInForce):
            rules_in_force("tsme", on, rulesets)
        return
    chosen = rules_in_force("tsme", on, rulesets)
    assert chosen.effective_from == max(started)


@given(effective=st.lists(days, min_size=1, max_size=4, unique=True), on=days)
def test_the_evaluation_records_the_version_it_used(effective, on):
    from ladder.engine.evaluate import evaluate
    from ladder.engine.inputs import TsmeInputs

    rulesets = [replace(BASE, version=f"v{i}", effective_from=day) for i, day in enumerate(effective)]
    if all(day > on for day in effective):
        return
    expected = rules_in_force("tsme", on, rulesets).version
    assert evaluate("tsme", TsmeInputs(), on, rulesets).rules_version == expected
