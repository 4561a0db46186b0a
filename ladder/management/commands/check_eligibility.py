"""Evaluate eligibility cases from JSON, without the database (the shipped YAML rules)."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ladder.engine.cases import CaseError, parse_case
from ladder.engine.evaluate import evaluate
from ladder.engine.rules import NoRulesInForce, load_shipped_rules


class Command(BaseCommand):
    help = gettext_lazy(
        'Evaluate a JSON list of cases {"id", "rule", "on", "inputs"} (rule: tsme, hnte, graduation, '
        "incubation_clock, incubation_entry) with the rules shipped in ladder/rules/*.yaml that were in "
        "force on each case's date; never reads the database. Money in yuan as decimal strings (JSON "
        "numbers are also read, exactly, as decimals), shares 0-1, counts whole numbers, dates "
        "YYYY-MM-DD; a required input may be null (not known). Defaults: TSME direct passes false, "
        "its gates true; HNTE core_ip, high_tech_field (a staff judgement) and clean_record true, "
        "innovation_score absent = unknown unless an innovation object gives its parts; the clock's "
        "extended_field false. Prints a JSON list in the same order; a malformed case gets an "
        '"error" entry and the others are still evaluated (exit 1); unreadable JSON or a top level '
        "that is not a list exits 2."
    )
    requires_system_checks: list = []  # no check may open a database connection

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", required=True, help=gettext_lazy("The cases file; - reads standard input.")
        )
        parser.add_argument(
            "--output", type=Path, help=gettext_lazy("Write the results here, not to stdout.")
        )

    def handle(self, *args, output: Path | None, **options):
        cases = self._read(options["json"])
        rulesets = load_shipped_rules()
        results, errors = [], 0
        for index, raw in enumerate(cases):
            try:
                case = parse_case(raw, index)
                evaluation = evaluate(case.rule, case.inputs, case.on, rulesets)
            except (CaseError, NoRulesInForce) as exc:
                errors += 1
                results.append(_error_entry(raw, index, str(exc)))
                continue
            results.append(evaluation.as_json(id=case.id))
        text = _dumps(results)
        if output is None:
            self.stdout.write(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
        if errors:
            raise CommandError(_("%(n)d of %(total)d case(s) could not be evaluated.")
                               % {"n": errors, "total": len(cases)}, returncode=1)  # fmt: skip

    def _read(self, source: str) -> list:
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": source, "error": exc.strerror},
                               returncode=2) from None  # fmt: skip
        try:
            cases = _loads(text)
        except ValueError as exc:
            raise CommandError(_("%(file)s is not valid JSON: %(error)s") % {"file": source, "error": exc},
                               returncode=2) from None  # fmt: skip
        if not isinstance(cases, list):
            raise CommandError(_("%(file)s must hold a JSON list of cases.") % {"file": source}, returncode=2)
        return cases


def _loads(text: str):
    # Numbers as exact decimals: a JSON 0.1 is the decimal 0.1, never a binary float.
    return json.loads(text, parse_float=Decimal)


def _dumps(results: list) -> str:
    return json.dumps(results, ensure_ascii=False, indent=2)


def _error_entry(raw: object, index: int, message: str) -> dict:
    case_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    rule = raw.get("rule") if isinstance(raw, dict) and isinstance(raw.get("rule"), str) else None
    name = f"{index + 1}" + (f" ({case_id})" if case_id else "")
    return {
        "id": case_id,
        "rule": rule,
        "error": _("case %(case)s: %(error)s") % {"case": name, "error": message},
    }
