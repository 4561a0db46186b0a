"""The README's example file evaluates, every case, with the rules shipped today."""

import json
from io import StringIO
from pathlib import Path

from django.core.management import call_command

EXAMPLES = Path(__file__).resolve().parents[3] / "ladder" / "examples" / "cases.json"


def test_the_readme_examples_all_evaluate(django_db_blocker):
    out = StringIO()
    with django_db_blocker.block():
        call_command("check_eligibility", "--json", str(EXAMPLES), stdout=out)
    results = {case["id"]: case for case in json.loads(out.getvalue())}
    assert not [case for case in results.values() if "error" in case]
    assert results["tsme-exactly-60"]["score"] == 60 and results["tsme-exactly-60"]["eligible"]
    assert results["tsme-led-standard"]["eligible"]
    assert results["hnte-ratio-of-sums"]["criteria"]["rd_ratio"]["met"] is False
    assert results["graduation-exactly-5m"]["eligible"] is False
    assert results["clock-one-day-over"]["over_limit"] is True
    assert results["entry-25-months"]["eligible"] is False
