"""Django's ``loaddata``, with one line instead of a traceback for the project's own data files.

``fixtures/`` holds the source articles' data in the project's own cited format, loaded by
``load_demo``; it is not a Django fixture. Any other fixture loads as usual.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError


class Command(loaddata.Command):
    def handle(self, *fixture_labels, **options):
        project_fixtures = Path(settings.BASE_DIR) / "fixtures"
        ours = {path.stem for path in project_fixtures.glob("*.yaml")}
        for label in fixture_labels:
            path = Path(label)
            inside = path.exists() and project_fixtures.resolve() in path.resolve().parents
            if inside or (path.parent == Path(".") and path.stem in ours and not path.exists()):
                raise CommandError(
                    f"{label}: fixtures/ holds the articles' data in this project's own format, not Django "
                    "fixtures; load it with `python manage.py load_demo` (see fixtures/README.md)."
                )
        try:
            return super().handle(*fixture_labels, **options)
        except (DeserializationError, IntegrityError) as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(f"Could not load {', '.join(fixture_labels)}: {first_line}") from exc
