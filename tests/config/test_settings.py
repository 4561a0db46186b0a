"""Each settings module loads; bad or missing variables fail at start with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "Zq8-3vX_pL0mN7rT2yW9uB4cE6gH1jK5" + "a1b2c3"


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# slow: a whole `manage.py check` (every app imported, every system check) in a fresh process,
# about 3.5 s each; in CI and `python3 dev.py test --all`. The failing-configuration tests below
# stop before the apps load and stay in the quick run.
@pytest.mark.slow
@pytest.mark.parametrize("module", ["local", "test", "production"])
def test_settings_module_loads(module):
    env = {"DJANGO_SETTINGS_MODULE": f"config.settings.{module}"}
    if module == "production":
        env |= {"DJANGO_SECRET_KEY": STRONG_KEY, "DJANGO_ALLOWED_HOSTS": "example.org"}
    result = run_manage("check", env=env)
    assert result.returncode == 0, result.stderr


def test_production_without_secret_key_fails_with_one_clear_line():
    result = run_manage(
        "check",
        env={"DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_ALLOWED_HOSTS": "example.org"},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "DJANGO_SECRET_KEY is not set" in lines[0]
    assert "Traceback" not in result.stderr


def test_production_with_weak_secret_key_fails():
    result = run_manage(
        "check",
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "short",
            "DJANGO_ALLOWED_HOSTS": "example.org",
        },
    )
    assert result.returncode == 2
    assert "DJANGO_SECRET_KEY is too weak" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL="),
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432", "names no database"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL="),
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG='maybe' is not a boolean"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT='twenty-five' is not a whole number"),
    ],
)
def test_malformed_variable_names_itself(variable, value, expected):
    result = run_manage("check", env={"DJANGO_SETTINGS_MODULE": "config.settings.local", variable: value})
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_check_deploy_with_production_settings_reports_nothing():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": STRONG_KEY,
            "DJANGO_ALLOWED_HOSTS": "example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_time_zone_and_languages(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
