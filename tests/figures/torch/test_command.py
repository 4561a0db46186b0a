"""manage.py torch_return: prints the validation report, writes the workbook, and exits non-zero
only on bad arguments (one CommandError line)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.utils import timezone

from tests.factories import IncubatorFactory, ResidencyFactory
from tests.figures.torch.factories import YEAR, TorchFirmFactory, incubatee

pytestmark = pytest.mark.django_db


@pytest.fixture
def incubator():
    incubator = IncubatorFactory(key="test-incubator", name="测试孵化器", area_m2=Decimal("100.00"))
    incubatee(incubator, name="完整公司")
    firm = TorchFirmFactory(name="缺数公司")
    ResidencyFactory(firm=firm, incubator=incubator, entered_on=datetime.date(2023, 1, 1))
    return incubator


def run(*args) -> str:
    out = io.StringIO()
    call_command("torch_return", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_validation_report_and_writes_the_workbook(incubator, tmp_path):
    out = tmp_path / "return.xlsx"
    printed = run("--incubator", "test-incubator", "--year", str(YEAR), "--out", str(out))
    lines = printed.splitlines()
    assert lines[0] == "测试孵化器, report year 2024: filing window 2025-01-01 to 2025-02-15 (published)."
    assert lines[1] == "2 incubatees; 2 errors, 1 warnings."
    assert (
        "ERROR    缺数公司: No figures for 2024: fields 16, 19, 20, 21, 22, 23, 24, 25, L4 are blank."
        in lines
    )
    assert any(line.startswith("WARNING  缺数公司: Field 26") for line in lines)
    assert lines[-1] == f"Written: {out}"
    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet.max_row == 8 + 2


def exit_status(monkeypatch, capsys, *args) -> tuple[int, str]:
    """The status manage.py would exit with, and its standard error, run in this process."""
    # run_from_argv closes the connections when it ends; the test's transaction needs this one.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    try:
        ManagementUtility(["manage.py", "torch_return", *args]).execute()
    except SystemExit as exc:
        return int(exc.code), capsys.readouterr().err
    return 0, capsys.readouterr().err


def test_errors_in_the_data_still_exit_0(incubator, tmp_path, monkeypatch, capsys):
    args = ("--incubator", "test-incubator", "--year", str(YEAR), "--out", str(tmp_path / "r.xlsx"))
    assert exit_status(monkeypatch, capsys, *args) == (0, "")


def test_bad_arguments_exit_1_with_one_line(incubator, tmp_path, monkeypatch, capsys):
    args = ("--incubator", "nobody", "--year", str(YEAR), "--out", str(tmp_path / "r.xlsx"))
    status, err = exit_status(monkeypatch, capsys, *args)
    assert (status, err) == (1, "CommandError: Unknown incubator 'nobody': give its stable key (or id).\n")


def test_an_incubator_is_also_found_by_its_id(incubator, tmp_path):
    printed = run("--incubator", str(incubator.pk), "--year", str(YEAR), "--out", str(tmp_path / "r.xlsx"))
    assert printed.startswith("测试孵化器")


def test_an_unknown_incubator_is_one_command_error(incubator, tmp_path):
    with pytest.raises(CommandError, match=r"^Unknown incubator 'nobody': give its stable key \(or id\)\.$"):
        run("--incubator", "nobody", "--year", "2024", "--out", str(tmp_path / "r.xlsx"))


@pytest.mark.parametrize("year", ["20x4", "1900", "-1", str(timezone.localdate().year + 1)])
def test_a_bad_year_is_one_command_error(incubator, tmp_path, year):
    with pytest.raises(CommandError, match=r"^Bad year .*: give a report year from 1949 to \d{4}\.$"):
        run("--incubator", "test-incubator", "--year", year, "--out", str(tmp_path / "r.xlsx"))


@pytest.mark.parametrize("name", ["missing-dir/r.xlsx", "r.csv", "."])
def test_an_unwritable_path_is_one_command_error_and_writes_nothing(incubator, tmp_path, name):
    with pytest.raises(CommandError, match=r"^Cannot write "):
        run("--incubator", "test-incubator", "--year", "2024", "--out", str(tmp_path / name))
    assert not (tmp_path / "r.csv").exists()


def test_a_path_under_a_file_is_one_command_error(incubator, tmp_path):
    """Unwritable for any user, root included (a read-only directory is not, for root)."""
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(CommandError, match=r"^Cannot write "):
        run("--incubator", "test-incubator", "--year", "2024", "--out", str(tmp_path / "a-file" / "r.xlsx"))
