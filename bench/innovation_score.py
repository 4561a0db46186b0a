"""Benchmark: the innovation score's nightly pass over 100,000 firms, and one firm's change.

    python bench/innovation_score.py [--firms 100000] [--cohort-size 1000] [--profile FILE] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/incubator_bench python bench/innovation_score.py

Creates a throwaway test database next to the one DATABASE_URL names (SQLite by default: a file
in a temporary directory; PostgreSQL: ``incubator_bench_score_<pid>_<random>`` on the same
server), migrates it, and fills it with bulk inserts (no signals, so nothing is scored while
generating): ``--firms`` firms in incubators of ``firms / cohort-size`` cities, each firm with
an open residency and figures of the last two closed years (a twentieth only of the year before,
so they form cohorts of their own), Torch fields for half of them, a tenth without the figures
a score needs; some certifications, equity rounds, distinctions and incidents.

Then it measures, in this process, with the shipped pack (ours-2025.1, cohorts by city):

- the nightly pass (``scores_recompute_all``): wall and CPU time, queries, the growth of the
  process's peak RSS, and in a separate run under tracemalloc (slower, so not timed) the peak of
  Python allocations; then the same pass again (it must write the same totals);
- one firm's change (``firm_scores_recompute`` of one firm: its cohort), median of 5 runs;
- the size of the scores table (PostgreSQL, after VACUUM FULL: the live rows and indexes).

The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reminders_common import run_name  # noqa: E402

DATABASE = "incubator_bench_score"  # plus _<pid>_<random>: run_name()
BATCH = 5000


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


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(round(rng.uniform(low, high), -2)).quantize(Decimal("0.01"))


def _figures(rng: random.Random, firm_id: int, year: int, scale: float, torch: bool, sparse: bool) -> dict:
    revenue = _money(rng, 0.5e6, 80e6) * Decimal(str(round(scale, 3)))
    employees = rng.randint(5, 400)
    values = {
        "firm_id": firm_id,
        "year": year,
        "revenue": revenue.quantize(Decimal("0.01")),
        "rd_expense": (revenue * Decimal(str(round(rng.uniform(0.0, 0.15), 4)))).quantize(Decimal("0.01")),
        "high_tech_revenue": (revenue * Decimal(str(round(rng.uniform(0.2, 0.9), 3)))).quantize(
            Decimal("0.01")
        ),
        "total_assets": (revenue * Decimal("1.3")).quantize(Decimal("0.01")),
        "total_liabilities": (revenue * Decimal(str(round(rng.uniform(0.2, 0.9), 3)))).quantize(
            Decimal("0.01")
        ),
        "tax_paid": (revenue * Decimal("0.04")).quantize(Decimal("0.01")),
        "employees": employees,
        "rd_staff": rng.randint(0, employees),
        "ip_class1": rng.randint(0, 12),
        "ip_class2": rng.randint(0, 30),
    }
    if torch:
        values.update(
            net_profit=(revenue * Decimal(str(round(rng.uniform(-0.1, 0.2), 3)))).quantize(Decimal("0.01")),
            staff_phd=rng.randint(0, employees // 10),
            invention_patents=rng.randint(0, 10),
            tech_contracts_amount=_money(rng, 0, 5e6),
            national_projects=rng.randint(0, 2),
            provincial_awards=rng.randint(0, 1),
        )
    if sparse:  # too little for a score: the core figures are missing
        for name in ("rd_expense", "employees", "rd_staff", "high_tech_revenue", "tax_paid", "ip_class1"):
            values[name] = None
    return values


def generate(firms: int, cohort_size: int, today: datetime.date, seed: int = 11) -> dict:
    """Bulk rows, in batches (the generator's own memory stays small); returns the counts."""
    from accounts.models import Organisation
    from portfolio.models import (
        Certification,
        CertificationKind,
        ComplianceIncident,
        Distinction,
        FinancingEvent,
        Firm,
        Incubator,
        Residency,
        YearlyFigures,
    )

    rng = random.Random(seed)
    year = today.year - 1
    operator = Organisation.objects.create(name="基准运营方", kind="incubator_operator")
    cities = max(1, math.ceil(firms / cohort_size))
    incubators = Incubator.objects.bulk_create(
        [
            Incubator(name=f"基准孵化器{c:03d}", city=f"基准市{c:03d}", operator=operator)
            for c in range(cities)
        ]
    )
    kinds = {k.code: k for k in CertificationKind.objects.filter(code__in=("tsme", "hnte"))}
    counts = dict.fromkeys(
        ("firms", "yearly figures", "certifications", "financing", "distinctions", "incidents"), 0
    )
    for start in range(0, firms, BATCH):
        size = min(BATCH, firms - start)
        created = Firm.objects.bulk_create(
            [
                Firm(
                    name=f"基准创新科技有限公司{n:06d}",
                    founded_on=today - datetime.timedelta(days=rng.randint(200, 15 * 365)),
                )
                for n in range(start, start + size)
            ]
        )
        residencies, figures, certificates, financing, distinctions, incidents = [], [], [], [], [], []
        for firm in created:
            incubator = incubators[rng.randrange(cities)]
            residencies.append(
                Residency(firm=firm, incubator=incubator, entered_on=today - datetime.timedelta(days=700))
            )
            scale, torch, sparse = rng.uniform(0.5, 1.5), rng.random() < 0.5, rng.random() < 0.1
            latest = year - 1 if rng.random() < 0.05 else year
            for y in (latest - 1, latest):
                figures.append(YearlyFigures(**_figures(rng, firm.pk, y, scale, torch, sparse)))
            if rng.random() < 0.3:
                code = rng.choice(("tsme", "hnte"))
                issued = datetime.date(year - rng.randint(0, 2), 3, 1)
                certificates.append(
                    Certification(
                        firm=firm,
                        kind=kinds[code],
                        issued_on=issued,
                        expires_on=issued + datetime.timedelta(days=365 if code == "tsme" else 3 * 365),
                    )
                )
            if rng.random() < 0.2:
                financing.append(
                    FinancingEvent(
                        firm=firm,
                        kind="equity",
                        instrument=rng.choice(("angel", "a", "b")),
                        amount=_money(rng, 1e6, 50e6),
                        occurred_on=datetime.date(year - rng.randint(0, 3), 6, 1),
                    )
                )
            if rng.random() < 0.05:
                distinctions.append(
                    Distinction(
                        firm=firm,
                        kind="standard",
                        level="industry",
                        year=year - 1,
                        role="led",
                        title="基准标准",
                    )
                )
            if rng.random() < 0.02:
                incidents.append(
                    ComplianceIncident(
                        firm=firm, kind="environmental_violation", occurred_on=datetime.date(year, 5, 1)
                    )
                )
        for model, rows, name in (
            (Residency, residencies, None),
            (YearlyFigures, figures, "yearly figures"),
            (Certification, certificates, "certifications"),
            (FinancingEvent, financing, "financing"),
            (Distinction, distinctions, "distinctions"),
            (ComplianceIncident, incidents, "incidents"),
        ):
            model.objects.bulk_create(rows, batch_size=2000)
            if name:
                counts[name] += len(rows)
        counts["firms"] += size
    counts["cities"] = cities
    return counts


def analyse() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(fn) -> dict:
    """Wall and CPU time, queries and peak-RSS growth of one call."""
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(count):
        result = fn()
    return {
        "result": result,
        "wall_s": time.perf_counter() - wall,
        "cpu_s": time.process_time() - cpu,
        "queries": queries,
        "rss_growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024,
        "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def traced_peak(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def totals_checksum() -> tuple:
    from django.db.models import Count, Sum

    from scoring.models import FirmScore

    found = FirmScore.objects.aggregate(rows=Count("pk"), with_total=Count("total"), sum_total=Sum("total"))
    return found["rows"], found["with_total"], found["sum_total"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--cohort-size", type=int, default=1000, help="Firms per city (about).")
    parser.add_argument("--profile", help="Write a cProfile of one nightly pass to this file.")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database afterwards.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="score-bench-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from django.db import connection
        from django.test.utils import setup_test_environment
        from django.utils import timezone

        from scoring.models import FirmScore
        from scoring.services import firm_scores_recompute, scores_recompute_all

        setup_test_environment()
        started = time.monotonic()
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        print(
            f"{connection.vendor} database {name} migrated in {time.monotonic() - started:.0f} s", flush=True
        )
        try:
            today = timezone.localdate()
            started = time.monotonic()
            counts = generate(args.firms, args.cohort_size, today)
            analyse()
            print(f"generated in {time.monotonic() - started:.0f} s: {counts}", flush=True)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"process RSS before the pass: {rss:.0f} MB")

            first = timed(scores_recompute_all)
            summary = first["result"].as_dict()
            largest = max(
                FirmScore.objects.exclude(cohort_key="").values_list("cohort_size", flat=True).distinct(),
                default=0,
            )
            checksum = totals_checksum()
            print(f"pass: {summary}, largest cohort {largest}, (rows, scored, sum of totals) {checksum}")
            second = timed(scores_recompute_all)
            assert totals_checksum() == checksum, "a second pass changed the scores"
            print("| what | wall s | CPU s | queries | peak RSS growth MB | peak RSS MB |")
            print("| --- | ---: | ---: | ---: | ---: | ---: |")
            for label, m in (("nightly pass", first), ("nightly pass again", second)):
                print(
                    f"| {label} | {m['wall_s']:.1f} | {m['cpu_s']:.1f} | {m['queries']} "
                    f"| {m['rss_growth_mb']:.0f} | {m['rss_peak_mb']:.0f} |",
                    flush=True,
                )
            one = FirmScore.objects.exclude(cohort_key="").values_list("firm_id", flat=True).first()
            changes = [timed(lambda: firm_scores_recompute(firm_ids=[one])) for _ in range(6)][1:]
            print(
                f"| one firm's change (its cohort of {largest} or fewer), median of 5 "
                f"| {statistics.median(c['wall_s'] for c in changes):.2f} "
                f"| {statistics.median(c['cpu_s'] for c in changes):.2f} | {changes[0]['queries']} | | |",
                flush=True,
            )
            peak = traced_peak(scores_recompute_all)
            print(f"peak Python heap during a pass (tracemalloc, separate run): {peak:.1f} MB", flush=True)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM FULL scoring_firmscore")  # the live rows only
                    cursor.execute("SELECT pg_total_relation_size('scoring_firmscore')")
                    size = cursor.fetchone()[0]
                print(f"scoring_firmscore: {size / 2**20:.0f} MB for {checksum[0]} rows")
            if args.profile:
                profiler = cProfile.Profile()
                profiler.runcall(scores_recompute_all)
                profiler.dump_stats(args.profile)
        finally:
            if not args.keep:
                connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
