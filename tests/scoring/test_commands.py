"""scoring_pack (the shipped pack against its row, loading another) and scoring_recompute."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from django.core.management import CommandError, call_command

from scoring.models import FirmScore, ScorePack
from tests.factories import IncubatorFactory
from tests.scoring.factories import cohort_of_four
from tests.scoring.packs import small_raw

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_migration_copy_matches_the_shipped_pack():
    assert "matches the shipped pack" in run("scoring_pack")


def test_an_edited_row_is_reported_and_apply_writes_the_file_back(django_capture_on_commit_callbacks):
    ScorePack.objects.filter(version="ours-2025.1").update(notes="edited")
    assert "differs in notes" in run("scoring_pack")
    with django_capture_on_commit_callbacks(execute=False):
        assert "Updated ours-2025.1" in run("scoring_pack", "--apply")
    assert "matches the shipped pack" in run("scoring_pack")


def test_load_and_activate_a_pack_file(tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "zone.yaml"
    path.write_text(yaml.safe_dump(small_raw("zone-test-1"), allow_unicode=True), encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert "Added zone-test-1 (active" in run("scoring_pack", "--load", str(path), "--activate")
    assert callbacks  # the recompute of every score, on commit
    assert ScorePack.objects.get(active=True).version == "zone-test-1"


def test_a_bad_pack_file_writes_nothing(tmp_path):
    raw = small_raw("zone-test-2")
    raw["data"]["cohort"]["by"] = "province"
    path = tmp_path / "zone.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        CommandError, match=re.escape("Nothing was written. zone-test-2: data.cohort.by: must be one of")
    ):
        run("scoring_pack", "--load", str(path), "--activate")
    assert not ScorePack.objects.filter(version="zone-test-2").exists()


def test_recompute_runs_the_nightly_pass_now():
    cohort_of_four(IncubatorFactory(city="青岛"))
    assert "4 firms in 1 cohorts, 0 with a score" in run("scoring_recompute")  # the shipped pack: cohort < 5
    assert FirmScore.objects.count() == 4
