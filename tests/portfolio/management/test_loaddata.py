"""`manage.py loaddata` on the project's fixtures/ says in one line to use load_demo; others load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, ManagementUtility, call_command

ROOT = Path(__file__).resolve().parents[3]
FIXTURE_FILES = sorted(p.relative_to(ROOT) for p in (ROOT / "fixtures").iterdir() if p.is_file())

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("label", [*map(str, FIXTURE_FILES), "articles"])
def test_project_fixture_files_point_to_load_demo(label, monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(CommandError, match="load_demo"):
        call_command("loaddata", label, verbosity=0)


def test_the_command_line_shows_one_line_and_no_traceback(monkeypatch, capsys):
    # manage.py's own entry point (argument parsing, the command's error handling and exit
    # code), in this process: a subprocess would spend 3.5 s importing every app again
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "loaddata", "fixtures/articles.yaml"]).execute()
    assert exit_.value.code == 1
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines() == [
        "CommandError: fixtures/articles.yaml: fixtures/ holds the articles' data in this project's own "
        "format, not Django fixtures; load it with `python manage.py load_demo` (see fixtures/README.md)."
    ]


def test_a_django_fixture_elsewhere_still_loads(tmp_path):
    fixture = tmp_path / "orgs.json"
    fixture.write_text(
        json.dumps([{"model": "auth.group", "pk": 9001, "fields": {"name": "测试组"}}], ensure_ascii=False)
    )
    call_command("loaddata", str(fixture), verbosity=0)
    assert Group.objects.filter(pk=9001, name="测试组").exists()


def test_a_fixture_breaking_a_constraint_is_one_line(tmp_path):
    fixture = tmp_path / "orgs.json"
    fixture.write_text(json.dumps([{"model": "accounts.organisation", "pk": 9001, "fields": {"name": "x"}}]))
    with pytest.raises(CommandError, match="Could not load"):
        call_command("loaddata", str(fixture), verbosity=0)


def test_a_broken_fixture_elsewhere_is_one_line(tmp_path):
    fixture = tmp_path / "broken.json"
    fixture.write_text("[{not json")
    with pytest.raises(CommandError, match="Could not load"):
        call_command("loaddata", str(fixture), verbosity=0)
