"""What a newcomer sees on the first start: no 404 for the icon, each log line once, mail in files."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_favicon_answers_no_content(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 204


def test_django_log_lines_go_only_through_the_root_handler():
    django_logger = logging.getLogger("django")
    assert django_logger.handlers == [] and django_logger.propagate


def test_local_settings_write_email_to_var_mail_without_an_smtp_host(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_VAR_DIR": str(tmp_path)}
    # reading a setting loads the settings module; no need to import every app (django.setup)
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out == ["django.core.mail.backends.filebased.EmailBackend", str(tmp_path / "mail")]


def test_dev_py_loads_the_demo_scenario_unless_told_not_to():
    import dev

    assert ["load_demo_scenario", "--logins"] in dev.setup_steps(demo=True)
    assert not any(step[0] == "load_demo_scenario" for step in dev.setup_steps(demo=False))


def test_dev_py_test_leaves_the_slow_tests_to_all_and_ci(monkeypatch):
    import dev

    monkeypatch.delenv("CI", raising=False)
    assert dev.pytest_args([], workers="2") == ["-n", "2", "--dist", "load", "-m", "not slow"]
    assert dev.pytest_args(["--all"], workers="2") == ["-n", "2", "--dist", "load"]
    assert dev.pytest_args(["-m", "browser"], workers="0") == ["-m", "browser"]
    monkeypatch.setenv("CI", "true")
    assert dev.pytest_args(["tests/config"], workers="0") == ["tests/config"]
