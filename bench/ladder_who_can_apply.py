"""Benchmark: the ladder's "who can apply" page over 10,000 firms with three years of figures.

    python bench/ladder_who_can_apply.py [--firms 10000] [--runs 5] [--profile FILE] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/incubator_bench python bench/ladder_who_can_apply.py

Creates a throwaway test database next to the one DATABASE_URL names (SQLite by default: a
file in a temporary directory; PostgreSQL: ``incubator_bench_ladder_<pid>_<random>`` on the same
server), migrates it, and fills it with bulk inserts: one incubator, ``--firms`` firms each with
an open residency and the last three fiscal years of figures, modelled on the demo's ladder
cases (portfolio/services/demo_ladder.py) with every amount and head count spread at random, so
that every status occurs; some firms have distinctions, incidents, this year's self-assessment,
a TSME registration or an HNTE certificate, a tenth lack the inputs the rules need.

Then it times, in this process, the median of ``--runs`` runs (after one warm-up) of

- ``standings()`` alone over the incubator's open residencies;
- the whole page through Django's test client, as a superuser and as a liaison of the
  incubator: the HTML page 1 (TSME view) and the CSV export of every row;

with wall and CPU time, the queries each sends, and the peak of Python allocations in a separate
run under tracemalloc (slower, so not timed). ``--profile FILE`` writes a cProfile of one
``standings()`` call. The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import os
import random
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

DATABASE = "incubator_bench_ladder"  # plus _<pid>_<random>: run_name()
URL = "/admin/portfolio/firm/ladder/"


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


def generate(firms: int, today: datetime.date, seed: int = 7) -> dict:
    """Bulk rows modelled on the demo ladder cases, spread at random; returns the users and counts."""
    from accounts.models import IncubatorMembership, Organisation, StaffRole, User
    from portfolio.choices import DistinctionKind, DistinctionLevel, IncidentKind, StandardRole
    from portfolio.models import (
        Certification,
        CertificationKind,
        ComplianceIncident,
        Distinction,
        Firm,
        Incubator,
        InnovationSelfAssessment,
        Residency,
        YearlyFigures,
    )
    from portfolio.rules.deadlines import add_months
    from portfolio.services.demo_ladder import AMOUNTS, FIGURE_COLUMNS, LADDER_FIRMS, SCORE_FIELDS
    from portfolio.services.staff_roles import staff_roles_setup, staff_roles_sync_user

    rng = random.Random(seed)
    operator = Organisation.objects.create(name="基准运营方", kind="incubator_operator")
    incubator = Incubator.objects.create(name="基准孵化器", name_en="Bench incubator", operator=operator)
    superuser = User.objects.create_superuser("root@bench.test", "bench-password")
    staff_roles_setup()
    liaison = User.objects.create_user("liaison@bench.test", "bench-password")
    IncubatorMembership.objects.create(user=liaison, incubator=incubator, role=StaffRole.LIAISON)
    staff_roles_sync_user(user=liaison)
    tsme, hnte = CertificationKind.objects.get(code="tsme"), CertificationKind.objects.get(code="hnte")

    # Which demo case each firm follows (haiyun, biaozhun, xinchuang, jinghang, haina), or None:
    # a firm whose inputs are missing (no total cost or liabilities, gates unknown).
    cases = [*LADDER_FIRMS, None]
    weights = [15, 10, 25, 25, 15, 10]
    plans = []
    firm_rows = []
    for n in range(firms):
        case = rng.choices(cases, weights)[0]
        template = case or LADDER_FIRMS[0]
        founded = add_months(today, -(template.founded_months_ago + rng.randint(-12, 12)))
        firm_rows.append(
            Firm(
                name=f"基准科技有限公司{n:05d}",
                name_en=f"Bench Technology {n:05d}",
                founded_on=founded,
                industry=template.industry,
                **(case.firm_fields if case else {}),
            )
        )
        plans.append(case)
    created = Firm.objects.bulk_create(firm_rows, batch_size=2000)
    residencies, figures, distinctions, incidents, assessments, certificates = [], [], [], [], [], []
    for firm, case in zip(created, plans, strict=True):
        template = case or LADDER_FIRMS[0]
        residencies.append(
            Residency(
                firm=firm,
                incubator=incubator,
                entered_on=add_months(today, -(template.entered_months_ago + rng.randint(-6, 6))),
                liaison=liaison,
            )
        )
        money, heads, staff = rng.uniform(0.7, 1.4), rng.uniform(0.8, 1.25), rng.uniform(0.75, 1.3)
        rd = rng.uniform(0.55, 1.25)  # R&D spread on its own: moves firms across the R&D thresholds
        for offset, row in enumerate(template.figures):
            values = {}
            for name, value in zip(FIGURE_COLUMNS, row, strict=True):
                if name in AMOUNTS:
                    factor = money * rd if name.startswith("rd_expense") else money
                    values[name] = (Decimal(value) * 1000 * Decimal(str(round(factor, 3)))).quantize(1)
                elif name == "employees":
                    values[name] = max(1, round(value * heads))
                elif name == "rd_staff":
                    values[name] = round(value * staff)
                else:
                    values[name] = value
            values["rd_staff"] = min(values["rd_staff"], values["employees"])
            if case is None:
                values.update(total_cost=None, total_liabilities=None, results_converted=None)
            figures.append(YearlyFigures(firm=firm, year=today.year - 3 + offset, **values))
        for kind, level, years_ago, role, rank, title in template.distinctions if case else ():
            year = today.year - years_ago
            distinctions.append(
                Distinction(
                    firm=firm,
                    kind=kind,
                    level=level,
                    year=year,
                    awarded_on=datetime.date(year, 6, 1),
                    rank=rank,
                    role=role,
                    valid_until=add_months(today, 14) if kind == DistinctionKind.RD_INSTITUTION else None,
                    title=title,
                )
            )
        if rng.random() < 0.1:  # an extra national award, some recent, some old
            year = today.year - rng.randint(1, 8)
            distinctions.append(
                Distinction(
                    firm=firm,
                    kind=DistinctionKind.AWARD,
                    level=DistinctionLevel.NATIONAL,
                    year=year,
                    rank=rng.randint(1, 5),
                    title="国家科学技术进步奖二等奖（基准）",
                )
            )
        if rng.random() < 0.05:
            year = today.year - rng.randint(1, 6)
            distinctions.append(
                Distinction(
                    firm=firm,
                    kind=DistinctionKind.STANDARD,
                    level=DistinctionLevel.INDUSTRY,
                    year=year,
                    role=rng.choice([StandardRole.LED, StandardRole.PARTICIPATED]),
                    title="行业标准（基准）",
                )
            )
        for kind, occurred, resolved, description in template.incidents if case else ():
            years, month, day = occurred
            incidents.append(
                ComplianceIncident(
                    firm=firm,
                    kind=kind,
                    occurred_on=datetime.date(today.year - years, month, day),
                    resolved_on=None
                    if resolved is None
                    else datetime.date(today.year - resolved[0], *resolved[1:]),
                    description=description,
                )
            )
        if rng.random() < 0.08:
            incidents.append(
                ComplianceIncident(
                    firm=firm,
                    kind=rng.choice(list(IncidentKind)),
                    occurred_on=today - datetime.timedelta(days=rng.randint(30, 900)),
                    description="基准事件",
                )
            )
        if case is not None and case.self_assessment is not None:
            scores = [max(0, s - rng.randint(0, 1)) for s in case.self_assessment]
            assessments.append(
                InnovationSelfAssessment(
                    firm=firm, year=today.year, **dict(zip(SCORE_FIELDS, scores, strict=True))
                )
            )
        if case is not None and rng.random() < 0.3:  # a TSME registration this year
            certificates.append(
                Certification(
                    firm=firm,
                    kind=tsme,
                    issued_on=datetime.date(today.year, 1, 15),
                    expires_on=datetime.date(today.year, 12, 31),
                )
            )
        if case is not None and case.short == "xinchuang" and rng.random() < 0.4:
            issued = today - datetime.timedelta(days=rng.randint(30, 1400))
            certificates.append(
                Certification(
                    firm=firm,
                    kind=hnte,
                    issued_on=issued,
                    expires_on=issued + datetime.timedelta(days=3 * 365),
                )
            )
    for model, rows in (
        (Residency, residencies),
        (YearlyFigures, figures),
        (Distinction, distinctions),
        (ComplianceIncident, incidents),
        (InnovationSelfAssessment, assessments),
        (Certification, certificates),
    ):
        model.objects.bulk_create(rows, batch_size=2000)
    return {
        "incubator": incubator,
        "superuser": superuser,
        "liaison": liaison,
        "counts": {
            "firms": len(created),
            "yearly figures": len(figures),
            "distinctions": len(distinctions),
            "incidents": len(incidents),
            "self-assessments": len(assessments),
            "certificates": len(certificates),
        },
    }


def analyse() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(fn, runs: int) -> dict:
    """Median wall and CPU time of ``runs`` calls after a warm-up; queries and peak heap of one more."""
    from django.db import connection

    fn()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    # Counted by a wrapper: the test client's request_started signal empties connection.queries.
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        fn()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "wall_ms": statistics.median(walls) * 1000,
        "cpu_ms": statistics.median(cpus) * 1000,
        "min_wall_ms": min(walls) * 1000,
        "queries": len(queries),
        "peak_mb": peak / 2**20,
    }


def scenarios(data: dict, today: datetime.date):
    from django.test import Client

    from ladder.standing import standings
    from portfolio.models import Residency

    def standings_alone():
        residencies = Residency.objects.filter(exited_on__isnull=True, incubator=data["incubator"]).order_by(
            "firm__name", "pk"
        )
        result = standings(residencies, today)
        assert len(result) == data["counts"]["firms"]
        return result

    def page(user, params: str, expect: str):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)

        def get():
            response = client.get(f"{URL}?{params}")
            assert response.status_code == 200, response.status_code
            body = response.content.decode()
            assert expect in body, body[:500]
            return body

        return get

    yield "standings() alone", standings_alone
    for who in ("superuser", "liaison"):
        yield f"{who}: HTML page 1", page(data[who], "view=tsme", "page 1 of")
        yield f"{who}: CSV, all rows", page(data[who], "view=tsme&format=csv", "基准科技有限公司")


def status_counts(today: datetime.date) -> dict:
    from ladder.standing import standings
    from portfolio.models import Residency

    counts: dict[str, dict[str, int]] = {}
    for standing in standings(Residency.objects.filter(exited_on__isnull=True), today):
        for rule in ("tsme", "hnte"):
            status = standing.statuses.get(rule, "error")
            counts.setdefault(rule, {}).setdefault(status, 0)
            counts[rule][status] += 1
        counts.setdefault("other", {"graduation candidates": 0, "over the limit": 0})
        counts["other"]["graduation candidates"] += standing.graduation_candidate
        counts["other"]["over the limit"] += standing.over_limit
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--firms", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", help="Write a cProfile of one standings() call to this file.")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database afterwards.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ladder-bench-") as tmp:
        setup_django(Path(tmp) / "bench.sqlite3")
        from django.db import connection
        from django.test.utils import setup_test_environment
        from django.utils import timezone

        setup_test_environment()
        started = time.monotonic()
        name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        print(
            f"{connection.vendor} database {name} migrated in {time.monotonic() - started:.0f} s", flush=True
        )
        try:
            today = timezone.localdate()
            started = time.monotonic()
            data = generate(args.firms, today)
            analyse()
            print(f"generated in {time.monotonic() - started:.0f} s: {data['counts']}", flush=True)
            for rule, counts in status_counts(today).items():
                print(f"  {rule}: {counts}", flush=True)
            print(f"median of {args.runs} runs (after a warm-up); peak heap from a separate traced run")
            print("| what | wall ms | CPU ms | fastest wall ms | queries | peak Python heap MB |")
            print("| --- | ---: | ---: | ---: | ---: | ---: |")
            for label, fn in scenarios(data, today):
                m = measure(fn, args.runs)
                print(
                    f"| {label} | {m['wall_ms']:.0f} | {m['cpu_ms']:.0f} | {m['min_wall_ms']:.0f} "
                    f"| {m['queries']} | {m['peak_mb']:.1f} |",
                    flush=True,
                )
                if args.profile and label == "standings() alone":
                    profiler = cProfile.Profile()
                    profiler.runcall(fn)
                    profiler.dump_stats(args.profile)
        finally:
            if not args.keep:
                connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
