"""manage.py torch_return --incubator <key> --year YYYY --out FILE.xlsx"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from figures.torch.returns import TorchReturn, torch_return_build
from figures.torch.workbook import workbook_bytes
from portfolio.models import Incubator

FIRST_YEAR = 1949


def report_lines(ret: TorchReturn) -> list[str]:
    """The validation report as the command prints it: a heading, then one line per issue."""
    window = ret.window
    state = _("published") if window.published else _("expected")
    lines = [
        _("%(incubator)s, report year %(year)s: filing window %(opens)s to %(closes)s (%(state)s).")
        % {
            "incubator": ret.incubator.name,
            "year": ret.year,
            "opens": window.opens_on,
            "closes": window.closes_on,
            "state": state,
        },
        _("%(firms)s incubatees; %(errors)s errors, %(warnings)s warnings.")
        % {"firms": len(ret.entries), "errors": len(ret.errors), "warnings": len(ret.warnings)},
    ]
    labels = {"error": _("ERROR"), "warning": _("WARNING")}
    for issue in ret.issues:
        lines.append(f"{labels[issue.severity]:8} {issue.firm or ret.incubator.name}: {issue.message}")
    return lines


class Command(BaseCommand):
    help = (
        "Build the Torch statistics return of an incubator for a report year: print its validation "
        "report and write the workbook (per-incubatee form, operations form, validation, notes). "
        "Exits non-zero only on bad arguments; problems in the data are reported, not fatal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--incubator", required=True, help="The incubator's stable key (or its id).")
        parser.add_argument("--year", required=True, help="The report year (the fiscal year reported on).")
        parser.add_argument("--out", required=True, type=Path, help="The workbook to write (.xlsx).")

    def handle(self, *args, incubator: str, year: str, out: Path, **options):
        found = self._incubator(incubator)
        report_year = self._year(year)
        self._check_writable(out)
        ret = torch_return_build(incubator=found, year=report_year)
        for line in report_lines(ret):
            self.stdout.write(line)
        try:
            out.write_bytes(workbook_bytes(ret))
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror or exc}.") from None
        self.stdout.write(self.style.SUCCESS(f"Written: {out}"))

    def _incubator(self, value: str) -> Incubator:
        found = Incubator.objects.filter(key=value).first()
        if found is None and value.isdigit():
            found = Incubator.objects.filter(pk=int(value)).first()
        if found is None:
            raise CommandError(f"Unknown incubator {value!r}: give its stable key (or id).")
        return found

    def _year(self, value: str) -> int:
        this_year = timezone.localdate().year
        if not value.strip().isdigit() or not FIRST_YEAR <= int(value) <= this_year:
            raise CommandError(f"Bad year {value!r}: give a report year from {FIRST_YEAR} to {this_year}.")
        return int(value)

    def _check_writable(self, out: Path) -> None:
        if out.suffix.lower() != ".xlsx":
            raise CommandError(f"Cannot write {out}: the workbook's name must end in .xlsx.")
        directory = out.parent if str(out.parent) else Path(".")
        if out.is_dir() or not directory.is_dir() or not os.access(directory, os.W_OK):
            raise CommandError(f"Cannot write {out}: not a writable file path.")
        if out.exists() and not os.access(out, os.W_OK):
            raise CommandError(f"Cannot write {out}: the file is not writable.")
