import datetime
import io

import pytest
from django.core.management import call_command

from ladder.models import RuleSet

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("ladder_rules", *args, stdout=out)
    return out.getvalue()


def test_matches_after_the_migration():
    assert "matches" in run()


def test_shows_and_applies_differences_and_keeps_database_only_versions():
    RuleSet.objects.filter(version="hnte-2016").update(notes="edited", data={"changed": True})
    RuleSet.objects.filter(version="tsme-2017").delete()
    extra = RuleSet.objects.get(version="tsme-2022")
    extra.pk, extra.version, extra.effective_from = None, "tsme-2030", datetime.date(2030, 1, 1)
    extra.save()
    shown = run()
    assert "~ hnte-2016: differs in notes, data" in shown
    assert "+ tsme-2017" in shown and "= tsme-2030: only in the database, kept" in shown
    assert RuleSet.objects.get(version="hnte-2016").notes == "edited"  # nothing written without --apply
    assert "Applied 2 difference(s)" in run("--apply")
    assert RuleSet.objects.get(version="hnte-2016").data["registered_days"]["min"] == 365
    assert RuleSet.objects.filter(version__in=["tsme-2017", "tsme-2030"]).count() == 2
    assert "matches" in run()
