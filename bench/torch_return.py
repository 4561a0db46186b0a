"""Benchmark: the Torch return of one incubator with many incubatees.

    python bench/torch_return.py [--firms 2000] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/incubator_bench python bench/torch_return.py

Creates a throwaway test database next to the one DATABASE_URL names (SQLite by default: a file
in a temporary directory; PostgreSQL: ``incubator_bench_torch_<pid>_<random>`` on the same
server), migrates it and fills it with bulk inserts: one incubator, ``--firms`` firms with every
field of the return, a stay overlapping the report year (a tenth graduated in it, a tenth of
them demo records), the year's figures (a tenth missing), an HNTE certificate for a third, a
mentor's service for half and an equity round for a fifth. Then it times the median of
``--runs`` runs (after one warm-up) of building the return (rows, operations sheet, validation
report) and of writing its workbook, with the queries each sends. The database is dropped at
the end.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reminders_common import run_name  # noqa: E402

DATABASE = "incubator_bench_torch"
YEAR = 2024


def setup_django(database_file: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["DJANGO_DEBUG"] = "0"
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(database_file)
    else:
        database.setdefault("TEST", {})["NAME"] = run_name(DATABASE)


def generate(firms: int):
    from django.utils import timezone

    from portfolio.choices import ExitReason, MentorKind, RecordOrigin, ServiceKind
    from portfolio.models import (
        Certification,
        CertificationKind,
        FinancingEvent,
        Firm,
        Incubator,
        Mentor,
        Residency,
        ServiceRecord,
        YearlyFigures,
    )

    incubator = Incubator.objects.create(name="基准孵化器", city="青岛", area_m2=Decimal("20000"))
    Firm.objects.bulk_create(
        Firm(
            name=f"基准企业{i:05d}",
            founded_on=datetime.date(2021, 1, 1),
            industry="electronic_information",
            nbs_industry_code="I6510",
            registration_type="有限责任公司",
            taxpayer_type="general",
            founder_profile="scientist",
            serial_founder=i % 2 == 0,
            founder_sex="male",
            registered_capital=Decimal("1000000") + i,
            origin=RecordOrigin.DEMO if i % 100 == 7 else RecordOrigin.STAFF,
        )
        for i in range(firms)
    )
    ids = list(Firm.objects.order_by("name").values_list("pk", flat=True))
    graduated = {"exited_on": datetime.date(YEAR, 6, 30), "exit_reason": ExitReason.REVENUE}
    Residency.objects.bulk_create(
        Residency(
            firm_id=pk,
            incubator=incubator,
            entered_on=datetime.date(2022, 3, 1),
            space_m2=Decimal("80"),
            **(graduated if i % 10 == 3 else {}),
        )
        for i, pk in enumerate(ids)
    )
    now = timezone.now()
    YearlyFigures.objects.bulk_create(
        YearlyFigures(
            firm_id=pk,
            year=YEAR,
            revenue=Decimal("5000000") + i * 7,
            rd_expense=Decimal("600000"),
            tax_paid=Decimal("100000"),
            employees=40,
            staff_college=30,
            net_profit=Decimal("100000"),
            accepted_at=now if i % 3 else None,
        )
        for i, pk in enumerate(ids)
        if i % 10 != 5
    )
    hnte = CertificationKind.objects.get(code="hnte")
    Certification.objects.bulk_create(
        Certification(
            firm_id=pk, kind=hnte, issued_on=datetime.date(2023, 5, 1), expires_on=datetime.date(2026, 5, 1)
        )
        for i, pk in enumerate(ids)
        if i % 3 == 0
    )
    mentor = Mentor.objects.create(name="导师", kind=MentorKind.STARTUP_MENTOR)
    mentor.incubators.add(incubator)
    service = ServiceRecord.objects.create(
        kind=ServiceKind.ONE_TO_ONE, mentor=mentor, topic="辅导", occurred_on=datetime.date(YEAR, 5, 1)
    )
    service.firms.add(*ids[::2])
    FinancingEvent.objects.bulk_create(
        FinancingEvent(
            firm_id=pk,
            kind="equity",
            instrument="angel",
            amount=Decimal("2000000"),
            occurred_on=datetime.date(YEAR, 4, 1),
        )
        for i, pk in enumerate(ids)
        if i % 5 == 0
    )
    return incubator


def measure(fn, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {
        "wall_ms": statistics.median(walls) * 1000,
        "cpu_ms": statistics.median(cpus) * 1000,
        "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--firms", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="torch-bench-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from django.db import connection
        from django.test.utils import setup_test_environment

        setup_test_environment()
        started = time.monotonic()
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        print(
            f"{connection.vendor} database {name} migrated in {time.monotonic() - started:.0f} s", flush=True
        )
        try:
            from figures.torch.returns import torch_return_build
            from figures.torch.workbook import workbook_bytes

            incubator = generate(args.firms)
            ret = torch_return_build(incubator=incubator, year=YEAR)
            print(
                f"{len(ret.entries)} rows, {len(ret.errors)} errors, {len(ret.warnings)} warnings", flush=True
            )
            print(f"median of {args.runs} runs after a warm-up")
            print("| what | wall ms | CPU ms | queries |")
            print("| --- | ---: | ---: | ---: |")
            for label, fn in (
                ("build the return", lambda: torch_return_build(incubator=incubator, year=YEAR)),
                ("write the workbook", lambda: workbook_bytes(ret)),
            ):
                m = measure(fn, args.runs)
                print(f"| {label} | {m['wall_ms']:.0f} | {m['cpu_ms']:.0f} | {m['queries']} |", flush=True)
        finally:
            connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
