"""docker-compose.yml parses and every service runs something that exists (no engine here)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_the_production_services():
    services = _compose()["services"]
    assert {"db", "redis", "web", "worker", "beat", "mailpit", "migrate"} <= set(services)
    assert services["beat"]["deploy"]["replicas"] == 1


def _module_exists(dotted: str) -> bool:
    return importlib.util.find_spec(dotted) is not None


def test_each_app_service_command_names_something_that_exists():
    services = _compose()["services"]
    checked = 0
    for name, service in services.items():
        command = service.get("command")
        if "build" not in service or not command:
            continue
        program, *args = command
        if program == "gunicorn":
            module, _, attr = args[0].partition(":")
            assert _module_exists(module), name
            assert attr == "application"
        elif program == "celery":
            app_module = args[args.index("-A") + 1]
            assert _module_exists(app_module), name
            assert args[2] in {"worker", "beat"}
            if "--scheduler" in args:
                scheduler = args[args.index("--scheduler") + 1].split(":")[0]
                assert _module_exists(scheduler), name
        elif program == "python":
            assert (ROOT / args[0]).exists(), name
        else:
            raise AssertionError(f"{name}: unexpected program {program}")
        assert shutil.which(program) or _module_exists(program), f"{program} is not installed"
        checked += 1
    assert checked == 4


def test_app_services_share_the_production_environment():
    services = _compose()["services"]
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production", name
        assert env["REDIS_URL"].startswith("redis://"), name
        assert env["DATABASE_URL"].startswith("postgres://"), name
