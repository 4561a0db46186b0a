import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

TSME = {
    "id": "t1",
    "rule": "tsme",
    "on": "2025-06-01",
    "inputs": {
        "employees": 100,
        "tech_staff": 30,
        "revenue": "10000000",
        "total_assets": "1000000",
        "rd_expense": "600000",
        "total_cost": "9000000",
        "ip_class_one": 1,
        "ip_class_two": 0,
    },
}
CLOCK = {
    "id": "c1",
    "rule": "incubation_clock",
    "on": "2025-01-16",
    "inputs": {"entered_on": "2021-01-15", "extended_field": False},
}
HNTE = {
    "id": "h1",
    "rule": "hnte",
    "on": "2024-02-29",
    "inputs": {
        "founded_on": "2023-03-01",
        "employees": 10,
        "tech_staff": 1,
        "revenues": ["1000000", "2000000"],
        "rd_expenses": ["50000", "100000"],
        "rd_domestic_share": "0.6",
        "high_tech_revenue_share": "0.6",
        "innovation_score": 71,
    },
}
GRAD = {
    "id": "g1",
    "rule": "graduation",
    "on": "2025-06-01",
    "inputs": {
        "cumulative_angel_vc": "5000000",
        "yearly_revenues": {"2022": "6000000", "2024": "6000000"},
        "hnte": False,
        "listed_or_acquired": False,
    },
}
ENTRY = {
    "id": "e1",
    "rule": "incubation_entry",
    "on": "2025-06-01",
    "inputs": {"founded_on": "2022-08-31", "entered_on": "2024-08-31"},
}


@pytest.fixture(autouse=True)
def _no_database(django_db_blocker):
    with django_db_blocker.block():
        yield


def run(cases, tmp_path, *, raw: str | None = None):
    path = tmp_path / "cases.json"
    path.write_text(raw if raw is not None else json.dumps(cases), encoding="utf-8")
    out = io.StringIO()
    try:
        call_command("check_eligibility", "--json", str(path), stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    text = out.getvalue()
    return (json.loads(text) if text else None), code


def test_every_rule_evaluates_in_order_without_the_database(tmp_path):
    results, code = run([TSME, CLOCK, HNTE, GRAD, ENTRY], tmp_path)
    assert code == 0
    assert [r["id"] for r in results] == ["t1", "c1", "h1", "g1", "e1"]
    tsme, clock, hnte, grad, entry = results
    assert tsme == tsme | {"rule": "tsme", "eligible": True, "score": 100, "rules_version": "tsme-2022"}
    assert tsme["criteria"]["rd"] == {"met": True, "value": "0.060000", "threshold": "0.02", "points": 50}
    assert clock["over_limit"] is True and clock["months_left"] == -1 and clock["eligible"] is False
    assert hnte["eligible"] is True and hnte["score"] == 71
    assert hnte["criteria"]["registered_one_year"]["value"] == 365
    assert grad["eligible"] is False and grad["criteria"]["revenue_two_years"]["met"] is False
    assert entry["eligible"] is True and entry["score"] is None


def test_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps([ENTRY])))
    out = io.StringIO()
    call_command("check_eligibility", "--json", "-", stdout=out)
    assert json.loads(out.getvalue())[0]["id"] == "e1"


def test_output_file(tmp_path):
    (tmp_path / "in.json").write_text(json.dumps([ENTRY]))
    call_command(
        "check_eligibility", "--json", str(tmp_path / "in.json"), "--output", str(tmp_path / "o.json")
    )
    assert json.loads((tmp_path / "o.json").read_text())[0]["eligible"] is True


@pytest.mark.parametrize(
    ("raw", "message"), [("[{", "is not valid JSON"), ('{"id": 1}', "must hold a JSON list")]
)
def test_unreadable_input_exits_2(tmp_path, raw, message):
    path = tmp_path / "cases.json"
    path.write_text(raw)
    with pytest.raises(CommandError, match=message) as error:
        call_command("check_eligibility", "--json", str(path), stdout=io.StringIO())
    assert error.value.returncode == 2


def with_inputs(case, **changes):
    return dict(case, inputs={**case["inputs"], **changes})


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (dict(TSME, rule="tsme2"), "rule: must be one of"),
        (dict(TSME, on="2025-02-30"), "on: enter a date as YYYY-MM-DD"),
        (with_inputs(TSME, revenue="ten"), "inputs.revenue: enter an amount in yuan"),
        (with_inputs(TSME, employees=-1), "inputs.employees: enter a whole number of at least 0"),
        (with_inputs(TSME, employees=True), "inputs.employees: enter a whole number"),
        (with_inputs(TSME, colour="red"), "inputs.colour: is not a known input"),
        (
            dict(TSME, inputs={k: v for k, v in TSME["inputs"].items() if k != "revenue"}),
            "inputs.revenue: is missing",
        ),
        (with_inputs(TSME, tech_staff=101), "inputs.tech_staff: cannot exceed employees"),
        (
            with_inputs(HNTE, rd_domestic_share="1.5"),
            "inputs.rd_domestic_share: enter a share between 0 and 1",
        ),
        (with_inputs(HNTE, rd_expenses=["1"]), "inputs.rd_expenses: must have as many years as revenues"),
        (
            with_inputs(HNTE, revenues=["1", "2", "3", "4"], rd_expenses=["1"] * 4),
            "inputs.revenues: enter a list of 1 to 3",
        ),
        (with_inputs(GRAD, yearly_revenues={"24": "1"}), "24 is not a year"),
        (with_inputs(TSME, valid_hnte="yes"), "inputs.valid_hnte: enter true or false"),
        (dict(TSME, on="2010-01-01"), "No tsme rules were in force on 2010-01-01"),
    ],
)
def test_a_malformed_case_gets_an_error_entry_and_the_others_are_evaluated(tmp_path, bad, message):
    results, code = run([TSME, bad, CLOCK], tmp_path)
    assert code == 1
    assert results[0]["eligible"] is True and "over_limit" in results[2]
    assert results[1]["id"] == bad["id"] and message in results[1]["error"]
    assert results[1]["error"].startswith(f"case 2 ({bad['id']}): ")


def test_a_case_that_is_not_an_object(tmp_path):
    results, code = run([3, ENTRY], tmp_path)
    assert code == 1 and results[0]["id"] is None and "case 1:" in results[0]["error"]


def test_json_numbers_are_read_exactly_as_decimals(tmp_path):
    case = with_inputs(GRAD, cumulative_angel_vc=5000000.01)
    results, _ = run([case], tmp_path, raw=json.dumps([case]))
    assert results[0]["criteria"]["angel_vc"] == {
        "met": True,
        "value": "5000000.01",
        "threshold": "5000000",
        "points": None,
    }


def test_null_inputs_are_unknown(tmp_path):
    results, code = run([with_inputs(TSME, ip_class_two=None)], tmp_path)
    assert code == 0 and results[0]["score"] is None and results[0]["criteria"]["ip"]["met"] is None


def test_hnte_without_innovation_score_is_unknown_and_an_innovation_object_is_read(tmp_path):
    inputs = {k: v for k, v in HNTE["inputs"].items() if k != "innovation_score"}
    parts = {
        "ip_class_one": 1,
        "ip_class_two": 0,
        "conversions": [5, 5, 5],
        "net_assets": ["100", "135", "182.25"],
        "revenues": ["100", "135", "182.25"],
        "ip_advancement": 8,
        "ip_core_support": 8,
        "ip_how_obtained": 6,
        "ip_standards_bonus": 2,
        "rd_management": 6,
        "rd_institution": 6,
        "conversion_incentives": 4,
        "training_rewards": 4,
    }
    results, code = run(
        [dict(HNTE, inputs=inputs), dict(HNTE, id="h2", inputs={**inputs, "innovation": parts})], tmp_path
    )
    assert code == 0
    assert results[0]["criteria"]["innovation_score"]["met"] is None
    assert results[1]["score"] == 93
