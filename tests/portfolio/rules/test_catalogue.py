"""The certification catalogue file, its diff against the database, and --apply."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from portfolio.models import CertificationKind, Obligation, ObligationWindow
from portfolio.rules.catalogue import CATALOGUE_PATH, CatalogueError, catalogue_parse, catalogue_read

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("certification_catalogue", *args, stdout=out)
    return out.getvalue()


def _catalogue_with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _hnte(data: dict) -> dict:
    return next(k for k in data["kinds"] if k["code"] == "hnte")


def test_every_kind_and_obligation_names_its_source():
    for kind in catalogue_read():
        assert kind.values["source"]
        for obligation in kind.obligations:
            assert obligation.values["source"]


def test_a_fresh_database_matches_the_catalogue():
    assert "The database matches catalogue.yaml." in _run()
    assert CertificationKind.objects.get(code="hnte").source.startswith("国科发火〔2016〕32号")


def test_a_staff_edit_shows_as_a_difference_and_apply_restores_the_file(django_capture_on_commit_callbacks):
    Obligation.objects.filter(kind__code="hnte", code="annual-report").update(due_day=30)
    out = _run()
    assert "~ obligation hnte/annual-report due_day: 30 -> 31" in out
    assert "1 difference(s)" in out
    assert Obligation.objects.get(kind__code="hnte", code="annual-report").due_day == 30  # only shown
    with django_capture_on_commit_callbacks():
        _run("--apply")
    assert Obligation.objects.get(kind__code="hnte", code="annual-report").due_day == 31
    assert "The database matches" in _run()


def test_a_changed_file_value_is_detected_and_applied(
    tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("portfolio.tasks.kind_sync_deadlines.delay", lambda *args: queued.append(args))

    def shorter(data):
        _hnte(data)["validity_months"] = 24
        _hnte(data)["obligations"][0]["windows"] = [{"year": 2026, "opens_on": None, "due_on": "2026-05-15"}]
        _hnte(data)["obligations"][0]["windows"][0]["source"] = "a provincial notice"

    path = _catalogue_with(tmp_path, shorter)
    out = _run("--path", str(path))
    assert "~ kind hnte validity_months: 36 -> 24" in out
    assert "+ window hnte/annual-report 2026: not in the database" in out
    with django_capture_on_commit_callbacks(execute=True):
        _run("--path", str(path), "--apply")
    hnte = CertificationKind.objects.get(code="hnte")
    assert hnte.validity_months == 24
    assert ObligationWindow.objects.get(obligation__kind=hnte, year=2026).source == "a provincial notice"
    assert queued == [(hnte.pk,)]
    assert "The database matches" in _run("--path", str(path))


def test_rows_only_in_the_database_are_listed_and_kept():
    kind = CertificationKind.objects.create(code="local_award", name="区级奖励", name_en="District award")
    out = _run("--apply")
    assert "? kind local_award: in the database only (kept)" in out
    assert CertificationKind.objects.filter(pk=kind.pk).exists()


def test_bad_data_is_one_line_naming_the_field_and_nothing_is_written(tmp_path):
    def bad(data):
        _hnte(data)["validity_months"] = 24  # a good change before the bad one
        _hnte(data)["obligations"][0]["due_month"] = "May"

    path = _catalogue_with(tmp_path, bad)
    with pytest.raises(CommandError) as error:
        _run("--path", str(path), "--apply")
    message = str(error.value)
    assert message == (
        "Nothing was written. kind 'hnte' obligation 'annual-report' field 'due_month': "
        "must be a whole number from 1 to 12, not 'May'"
    )
    assert "\n" not in message
    assert CertificationKind.objects.get(code="hnte").validity_months == 36


def test_a_database_error_rolls_back_every_change(monkeypatch):
    from portfolio.services.catalogue import catalogue_apply

    kinds = catalogue_read()
    kinds[0].values["validity_months"] = 99
    kinds[1].obligations[0].values["due_month"] = 13  # past the parser here; the constraint stops it
    with pytest.raises(CatalogueError, match="nothing was written"):
        catalogue_apply(kinds=kinds)
    assert CertificationKind.objects.get(code=kinds[0].code).validity_months == 12


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "catalogue: expected a mapping with a 'kinds' list"),
        (
            {"kinds": [{"code": "x"}]},
            "kind 'x' field 'reminder_days': missing",
        ),
        (
            {"kinds": [{"code": "x", "reminder_days": [30, 30]}]},
            "kind 'x' field 'reminder_days': must be distinct whole numbers of days 0-3660, not [30, 30]",
        ),
    ],
)
def test_parser_errors_name_the_record(data, message):
    with pytest.raises(CatalogueError) as error:
        catalogue_parse(data)
    assert str(error.value) == message


def test_an_unknown_field_is_an_error(tmp_path):
    path = _catalogue_with(tmp_path, lambda data: _hnte(data).update(validty_months=3))
    with pytest.raises(CatalogueError, match=r"kind 'hnte': unknown field\(s\) validty_months"):
        catalogue_read(path)
