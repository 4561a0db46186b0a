import datetime
from decimal import Decimal as D

import pytest

from ladder.engine.graduation import evaluate_graduation
from ladder.engine.inputs import GraduationInputs

ON = datetime.date(2025, 6, 1)


def run(rules, **values):
    return evaluate_graduation(GraduationInputs(**values), ON, rules)


@pytest.mark.parametrize(
    ("amount", "met"), [(D(5_000_000), False), (D("5000000.01"), True), (D(4_000_000), False)]
)
def test_angel_vc_must_exceed_5m(incubation_rules, amount, met):
    result = run(incubation_rules, cumulative_angel_vc=amount)
    assert result.criteria["angel_vc"].met is met and result.eligible is met


@pytest.mark.parametrize(
    ("yearly", "met", "value"),
    [
        ({2023: D(5_000_000), 2024: D(5_000_000)}, False, D(10_000_000)),
        ({2023: D(5_000_000), 2024: D("5000000.01")}, True, D("10000000.01")),
        ({2021: D(9_000_000), 2023: D(9_000_000)}, False, None),
        ({2021: D(9_000_000), 2022: D(1), 2023: D(9_000_000), 2024: D(2_000_000)}, True, D(11_000_000)),
    ],
)
def test_revenue_over_two_consecutive_years(incubation_rules, yearly, met, value):
    criterion = run(incubation_rules, yearly_revenues=yearly).criteria["revenue_two_years"]
    assert criterion.met is met and criterion.value == value


def test_no_revenue_figures_is_unknown(incubation_rules):
    assert run(incubation_rules).criteria["revenue_two_years"].met is None


@pytest.mark.parametrize("route", ["hnte", "listed_or_acquired"])
def test_flag_routes(incubation_rules, route):
    assert run(incubation_rules, **{route: True}).eligible
    assert run(incubation_rules, **{route: None}).criteria[route].met is None


def test_names(incubation_rules):
    assert list(run(incubation_rules).criteria) == [
        "hnte",
        "angel_vc",
        "revenue_two_years",
        "listed_or_acquired",
    ]


def test_the_year_not_yet_closed_does_not_count(incubation_rules):
    # On 2025-06-01, 2025's revenue is not a closed year: 2024 + 2025 must not add up.
    criterion = run(incubation_rules, yearly_revenues={2024: D(6_000_000), 2025: D(4_000_001)}).criteria[
        "revenue_two_years"
    ]
    assert criterion.met is False
