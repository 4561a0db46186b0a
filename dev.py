#!/usr/bin/env python3
"""One entry point for a new machine that has only python3 and pip.

    python3 dev.py          set up, migrate, load the article data and the demo scenario, print
                            the logins and the demo API key, serve (--no-demo or DEV_NO_DEMO=1
                            skips the demo scenario)
    python3 dev.py test     set up, then run the test suite (extra arguments go to pytest), in
                            parallel, one pytest-xdist worker per core (TEST_WORKERS=N sets how
                            many; -n 0 or TEST_WORKERS=0 runs in one process); the slow end-to-end
                            tests (marker `slow`) only with --all or under CI=true, as CI runs them
    python3 dev.py setup    only create .venv and install the locked dependencies

Everything is installed into ./.venv from uv.lock, so the versions are the locked ones.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
UV_VERSION = "0.13.9"


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)  # noqa: S603
    if result.returncode != 0:
        sys.exit(result.returncode)


def setup() -> None:
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        run(sys.executable, "-m", "venv", VENV)
    uv = BIN / ("uv.exe" if os.name == "nt" else "uv")
    if not uv.exists():
        run(PYTHON, "-m", "pip", "install", "--quiet", f"uv=={UV_VERSION}")
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    # --inexact keeps uv itself (and pip) in the environment it manages.
    run(uv, "sync", "--frozen", "--inexact", "--quiet", env=env)
    compile_bytecode()


def compile_bytecode() -> None:
    """Compile the installed packages' bytecode once per lock file.

    uv installs without it, and where PYTHONDONTWRITEBYTECODE is set (as on some machines) no
    process writes it either, so every start of the server, every test worker and every test's
    subprocess compiled Django and the libraries again: ``django.setup()`` took about 5 s
    instead of 2.4 s. Reading bytecode is unaffected by that variable.
    """
    stamp = VENV / ".bytecode-compiled"
    lock = hashlib.sha256((ROOT / "uv.lock").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == lock:
        return
    print("Compiling the installed packages' bytecode (once per uv.lock) ...", flush=True)
    library = VENV / ("Lib" if os.name == "nt" else "lib")
    # a few packages ship test data that is not valid Python: compileall reports it, nothing else
    subprocess.run(  # noqa: S603
        [str(PYTHON), "-m", "compileall", "-q", "-j", "0", str(library)], cwd=ROOT, stdout=subprocess.DEVNULL
    )
    stamp.write_text(lock)


def setup_steps(*, demo: bool) -> list[list[str]]:
    """The manage.py commands the first start runs before serving (tests run them in-process)."""
    steps = [["migrate", "--noinput", "-v", "0"], ["load_demo"]]
    if demo:
        steps.append(["load_demo_scenario", "--logins"])
    steps.append(["demo_admin"])
    return steps


def start(extra: list[str]) -> None:
    demo = "--no-demo" not in extra and os.environ.get("DEV_NO_DEMO", "") in ("", "0")
    setup()
    address = os.environ.get("DEV_ADDRESS", "127.0.0.1:8000")
    env = {**os.environ}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # Links in emails point at the address the server actually runs on.
    env.setdefault("SITE_URL", f"http://{address}")
    manage = [PYTHON, "manage.py"]
    for step in setup_steps(demo=demo):
        run(*manage, *step, env=env)
    print(f"Admin: http://{address}/admin/   serving until Ctrl+C", flush=True)
    run(*manage, "runserver", address, env=env)


def pytest_args(extra: list[str], workers: str | None = None, *, everything: bool | None = None) -> list[str]:
    """The suite in parallel unless the arguments already say how (``-n``, ``-p no:xdist``), and
    without the slow end-to-end tests unless ``--all`` is given, CI is on or ``-m`` chooses.

    Each xdist worker has its own test database (pytest-django), Redis key prefix (the test
    settings) and ports. "load" hands tests out in small batches as workers free up (it measured
    faster here than "worksteal": bench/README.md).
    """
    if everything is None:
        everything = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if "--all" in extra:
        extra = [a for a in extra if a != "--all"]
        everything = True
    if not everything and not any(a == "-m" or a.startswith("-m") for a in extra):
        extra = ["-m", "not slow", *extra]
    if any(a.startswith(("-n", "--numprocesses", "no:xdist", "-pno:xdist")) for a in extra):
        return extra
    workers = workers if workers is not None else os.environ.get("TEST_WORKERS", "auto")
    if workers == "0":
        return extra
    return ["-n", workers, "--dist", "load", *extra]


def test(extra: list[str]) -> None:
    setup()
    args = pytest_args(extra)
    if "not slow" in args:
        print(
            "Leaving out the slow end-to-end tests (marker `slow`: migrations from scratch, the "
            "browser, the Celery worker); `python3 dev.py test --all` runs them too, as CI does.",
            flush=True,
        )
    # The project's and the tests' bytecode (pytest's rewritten test modules included) is cached
    # in __pycache__ (git ignores it) even where PYTHONDONTWRITEBYTECODE is set: without it each
    # xdist worker compiled every module again, about 8 s a worker on every run.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    run(PYTHON, "-m", "pytest", *args, env=env)


def main(argv: list[str]) -> None:
    command, extra = (argv[0], argv[1:]) if argv and not argv[0].startswith("-") else ("start", argv)
    if command == "start":
        start(extra)
    elif command == "test":
        test(extra)
    elif command == "setup":
        setup()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
