"""The Torch statistics return (火炬统计调查, RULES.md section 4): its rule data, its rows, the
validation report and the workbook.

``filing_window(report_year)`` is the one place that says when a report year's return is filed.
"""

from figures.torch.reader import TorchRulesError
from figures.torch.rules import filing_window, load_rules
from figures.torch.windows import FilingWindow

__all__ = ["FilingWindow", "TorchRulesError", "filing_window", "load_rules"]
