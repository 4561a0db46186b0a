"""python manage.py create_partner_key <organisation> [--name NAME] [--expires YYYY-MM-DD]"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation
from partners.services.api_keys import api_key_create, end_of_day


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--expires: {value!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Create an API key for a partner organisation and print it once (it is stored hashed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "organisation", help="Organisation id, stable key, or exact name (Chinese or English)."
        )
        parser.add_argument("--name", default="", help="What the key is for (default: 'key <date>').")
        parser.add_argument(
            "--expires", type=str, default=None, help="Last day the key works, YYYY-MM-DD (local time)."
        )
        parser.add_argument(
            "--rate", type=int, default=None, help="Requests per minute (default: the setting)."
        )

    def handle(
        self, *args, organisation: str, name: str, expires: str | None, rate: int | None, **options
    ) -> None:
        match = Q(key=organisation) | Q(name=organisation) | Q(name_en=organisation)
        if organisation.isdigit():
            match |= Q(pk=int(organisation))
        found = list(Organisation.objects.filter(match)[:2])
        if len(found) != 1:
            raise CommandError(
                f"No single organisation matches {organisation!r}."
                if not found
                else f"Several organisations match {organisation!r}; use its id."
            )
        expires_at = end_of_day(_date(expires)) if expires else None
        try:
            key, raw = api_key_create(
                organisation=found[0],
                name=name or f"key {timezone.localtime():%Y-%m-%d %H:%M:%S}",
                expires_at=expires_at,
                rate_per_minute=rate,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stderr.write(f"Created {key} for {key.organisation}; expires: {key.expires_at or 'never'}.")
        self.stderr.write("Give this key to the partner now; it cannot be shown again:")
        self.stdout.write(raw)
