"""A Torch return for one incubator and report year: rows, operations sheet, validation report."""

from __future__ import annotations

from dataclasses import dataclass

from figures.torch.operations import OperationValue, incubator_counts, operation_values
from figures.torch.rows import FirmYear, firm_years
from figures.torch.rules import FilingWindow, TorchRules, load_rules
from figures.torch.validation import Issue, validation_report
from portfolio.models import Incubator


@dataclass(frozen=True)
class TorchReturn:
    incubator: Incubator
    year: int
    rules: TorchRules
    window: FilingWindow
    entries: list[FirmYear]
    operations: list[OperationValue]
    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]


def torch_return_build(*, incubator: Incubator, year: int, rules: TorchRules | None = None) -> TorchReturn:
    """Everything the return needs, read in a fixed number of queries (9) whatever its size."""
    rules = rules or load_rules()
    entries = firm_years(incubator, year, rules)
    counts = incubator_counts(incubator, year)
    return TorchReturn(
        incubator=incubator,
        year=year,
        rules=rules,
        window=rules.window_for(year),
        entries=entries,
        operations=operation_values(rules, incubator, year, entries, counts),
        issues=validation_report(rules, incubator, year, entries),
    )
