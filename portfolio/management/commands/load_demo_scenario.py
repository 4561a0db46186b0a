"""python manage.py load_demo_scenario [--logins] [--reset] [--today YYYY-MM-DD]"""

from __future__ import annotations

import datetime
import shlex

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Language
from portfolio.services.demo import (
    DemoError,
    demo_bank,
    demo_logins,
    demo_scenario_load,
    demo_scenario_reset,
    demo_staff,
)
from scoring.demo import demo_score_lines, demo_scores


class Command(BaseCommand):
    help = (
        "Load the demo scenario beside the article data: staff, contacts, residencies, "
        "certifications due soon, yearly figures, a partner bank with consents. Everything is "
        "labelled demo; existing records are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins",
            action="store_true",
            help="Also set a new password for the demo staff and create a new demo API key, and print "
            "them (local development only).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo's dated records (and staff edits to them) and load them again from "
            "today, so that deadlines fall due in the coming days again. Article records are not touched.",
        )
        parser.add_argument("--today", default=None, help="Load as if today were this day (YYYY-MM-DD).")

    def handle(self, *args, logins: bool, reset: bool, today: str | None, **options):
        if logins and not settings.DEBUG:
            raise CommandError("--logins is for local development only (DJANGO_DEBUG is off).")
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today: {today!r} is not a date (YYYY-MM-DD).") from None
        try:
            result = (demo_scenario_reset if reset else demo_scenario_load)(today=day)
        except DemoError as exc:
            raise CommandError(f"Nothing was loaded: {exc}") from None
        summary = ", ".join(f"{s} {c}+{u}" for s, (c, u) in result.counts.items())
        self.stdout.write(f"Demo scenario (labelled demo; created+already there): {summary}")
        self._load_figures_request(day=day, reset=reset, logins=logins)
        self.stdout.write(demo_scores())  # innovation scores (scoring/demo.py)
        if logins:
            self._print_logins()
            self._print_calendar_feed()

    # --- the demo's figures request (portfolio/services/demo_figures.py) ---------------------
    def _load_figures_request(self, *, day: datetime.date | None, reset: bool, logins: bool) -> None:
        from django.urls import reverse

        from portfolio.services.demo_figures import demo_figures_load, demo_founder_link

        try:
            figures = demo_figures_load(today=day, reset=reset)
        except DemoError as exc:
            raise CommandError(f"The demo figures request was not loaded: {exc}") from None
        request = figures.request
        state = "opened" if figures.created else "already there"
        url = settings.SITE_URL + reverse("admin:figures_figuresrequest_change", args=[request.pk])
        self.stdout.write(self.style.SUCCESS(f"Figures request (demo, {state}): {request}"))
        self.stdout.write(f"  progress page:  {url}")
        if logins:  # a founder's link opens the firm's page without a login: local development only
            link = demo_founder_link(request) or "none open now (re-issue one on the progress page)"
            self.stdout.write(f"  a founder's link: {link}")
        key = request.incubator.key or request.incubator.pk
        self.stdout.write(
            f"  Torch return for {request.year} (demo records left out): .venv/bin/python manage.py "
            f"torch_return --incubator {key} --year {request.year} --out var/torch-{request.year}.xlsx"
        )
        self.stdout.write(f"    or admin → Incubators → {request.incubator.name} → Torch statistics return")

    def _print_logins(self) -> None:
        password, raw = demo_logins()
        site = settings.SITE_URL
        out = self.stdout.write
        out(self.style.SUCCESS(f"Demo staff logins at {site}/admin/ (password for each: {password}):"))
        for user in demo_staff():
            membership = user.memberships.select_related("incubator").first()
            english = " (reads English)" if user.preferred_language == Language.ENGLISH else ""
            out(f"  {membership.role:<10} {user.email:<36} {membership.incubator.name}{english}")
        bank = demo_bank()
        url = f"{site}/api/v1/firms/?certification_kind=hnte&page_size=20"
        out(self.style.SUCCESS(f"Demo partner API key for {bank.name_en} (shown once): {raw}"))
        out(f"  curl -s -H {shlex.quote('Authorization: Api-Key ' + raw)} {shlex.quote(url)}")
        for n, line in enumerate(demo_score_lines(site, raw)):  # innovation score (scoring/demo.py)
            out(self.style.SUCCESS(line) if n == 0 else line)
        out(self.style.SUCCESS("The certification ladder:"))
        out(f"  who can apply this year:  {site}/admin/portfolio/firm/ladder/?view=hnte")
        out("  each firm's page shows its ladder panel (e.g. 演示鲸航海洋装备: HNTE within reach)")
        out(
            "  check cases without the database: .venv/bin/python manage.py check_eligibility --json "
            "ladder/examples/cases.json"
        )
        mail = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
        where = f"files in {settings.EMAIL_FILE_PATH}" if mail == "filebased" else f"the {mail} email backend"
        out(f"Emails go to {where}; send the reminders now due: .venv/bin/python manage.py send_reminders")

    def _print_calendar_feed(self) -> None:
        """One demo staff member's calendar link (a new one each run; the previous stops working)."""
        from accounts.calendar import feed_url
        from accounts.services import calendar_feed_issue

        staff = demo_staff()
        if not staff:
            return
        _feed, raw = calendar_feed_issue(user=staff[0])
        heading = f"Calendar link of {staff[0].email} (their firms' open deadlines; shown once):"
        self.stdout.write(self.style.SUCCESS(heading))
        self.stdout.write(f"  {feed_url(raw)}   (subscribe in Outlook, WeCom or any calendar; or curl it)")
