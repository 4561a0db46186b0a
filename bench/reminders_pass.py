"""Benchmark: the reminder pass on a large table, its time and peak memory.

    python bench/reminders_pass.py --certifications 1000000 --due-fraction 0.01
    python bench/reminders_pass.py --certifications 10000000 --due 10000

Creates a throwaway PostgreSQL database (incubator_bench_reminders_<pid>_<random>), fills it with
generate_series (ten certifications per firm, one open deadline per certification; the due
ones fall inside the 90-day window, the others after it), runs the pass as beat does
(record + hand the emails to Celery on a throwaway redis-server) in a fresh process, then runs
it again (nothing new to do), and drops the database.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.reminders_common import ROOT, Redis, child_env, create_database, drop_database, run_name

DATABASE = "incubator_bench_reminders"  # plus _<pid>_<random>: run_name()
TODAY = datetime.date(2025, 5, 1)


def generate(certifications: int, due: int) -> None:
    """Runs inside Django (child process): bulk rows by SQL, the few small ones by the ORM."""
    from django.db import connection

    from accounts.models import IncubatorMembership, Organisation, StaffRole, User
    from portfolio.models import CertificationKind, Incubator, Obligation

    operator = Organisation.objects.create(name="基准运营方", kind="incubator_operator")
    incubator = Incubator.objects.create(name="基准孵化器", name_en="Bench incubator", operator=operator)
    liaison = User.objects.create_user("liaison@bench.test", is_staff=True)
    IncubatorMembership.objects.create(user=liaison, incubator=incubator, role=StaffRole.LIAISON)
    kind = CertificationKind.objects.get(code="hnte")
    obligation = Obligation.objects.get(kind=kind, code="annual-report")
    firms = max(certifications // 10, 1)
    today = TODAY.isoformat()
    steps = [
        (
            "firms",
            """INSERT INTO portfolio_firm (origin, source, source_quote, notes, created_at, updated_at, name,
                   name_en, credit_code, founded_precision, industry, industry_detail, website,
                   industry_allowed, market_status, resident_enterprise, founder_profile, founder_sex,
                   nbs_industry_code, registration_type, taxpayer_type)
               SELECT 'staff', '', '', '', now(), now(), '基准企业' || g, 'Bench firm ' || g, '', 'day',
                      '', '', '', true, 'none', true, '', '', '', '', ''
               FROM generate_series(1, %(firms)s) g""",
        ),
        (
            "contacts",
            """INSERT INTO portfolio_contact (name, title, email, phone, preferred_language,
                   receives_reminders, firm_id)
               SELECT '联系人', '', 'c' || id || '@bench.test', '',
                      CASE WHEN id %% 2 = 0 THEN 'en' ELSE 'zh-hans' END, true, id FROM portfolio_firm""",
        ),
        (
            "residencies",
            """INSERT INTO portfolio_residency (origin, source, source_quote, notes, created_at, updated_at,
                   entered_on, entered_precision, exit_reason, limit_months, firm_id, incubator_id,
                   liaison_id, entry_age_reason)
               SELECT 'staff', '', '', '', now(), now(), '2024-01-01', 'day', '', 48, id, %(incubator)s,
                      %(liaison)s, '' FROM portfolio_firm""",
        ),
        (
            "certifications",
            """INSERT INTO portfolio_certification (origin, source, source_quote, notes, created_at,
                   updated_at, status, number, issued_on, issued_precision, expires_on, expires_precision,
                   issuer, assumed, kind_id, firm_id)
               SELECT 'staff', '', '', '', now(), now(), 'granted', '', '2023-01-01', 'day',
                      '2027-12-31', 'day', '', false, %(kind)s,
                      (SELECT min(id) FROM portfolio_firm) + (g - 1) / 10
               FROM generate_series(1, %(certifications)s) g""",
        ),
        (
            "deadlines",
            # Every certification gets one open deadline. Ids spread the due ones through the
            # table: the first (certifications / due) of each block is due inside the window
            # (0..90 days left), the rest fall 91..1095 days ahead.
            """INSERT INTO portfolio_deadline (due_on, due_precision, status, note, created_at, updated_at,
                   certification_id, firm_id, obligation_id)
               SELECT CASE WHEN n %% %(stride)s = 0 THEN %(today)s::date + ((n / %(stride)s) %% 91)::int
                           ELSE %(today)s::date + (91 + n %% 1005)::int END,
                      'day', 'open', '', now(), now(), id, firm_id, %(obligation)s
               FROM (SELECT id, firm_id, row_number() OVER (ORDER BY id) - 1 AS n
                     FROM portfolio_certification) c""",
        ),
    ]
    params = {
        "firms": firms,
        "certifications": certifications,
        "incubator": incubator.pk,
        "liaison": liaison.pk,
        "kind": kind.pk,
        "obligation": obligation.pk,
        "stride": max(certifications // max(due, 1), 1),
        "today": today,
    }
    with connection.cursor() as cursor:
        for name, sql in steps:
            started = time.monotonic()
            cursor.execute(sql, params)
            print(f"  {name}: {cursor.rowcount} rows in {time.monotonic() - started:.0f} s", flush=True)
        cursor.execute("VACUUM ANALYZE")


def measure(trace: bool) -> dict:
    """Runs inside Django (child process): one pass as beat runs it, timed."""
    import resource
    import tracemalloc

    from portfolio.services.reminders import reminder_pass

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = reminder_pass(today=TODAY, enqueue=True)
    seconds = time.perf_counter() - started
    peak_heap = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    return {
        "seconds": round(seconds, 2),
        "deadlines_read": result.scanned,
        "attempted": result.attempted,
        "handed_over": len(result.handed_over),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_python_heap_mb": round(peak_heap, 1) if peak_heap is not None else None,
    }


def child(mode: str, url: str, redis_url: str, *args: str) -> str:
    env = child_env(url, REDIS_URL=redis_url, DJANGO_LOG_LEVEL="WARNING")
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(result.stdout + result.stderr)
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--certifications", type=int, default=1_000_000)
    parser.add_argument("--due-fraction", type=float, default=None)
    parser.add_argument("--due", type=int, default=None, help="Number of due deadlines (default 1%%).")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import django

        django.setup()
        if args.child[0] == "generate":
            generate(int(args.child[1]), int(args.child[2]))
        elif args.child[0] == "reset":
            from portfolio.models import ReminderDelivery

            ReminderDelivery.objects.all().delete()
        else:
            print(json.dumps(measure(args.child[0] == "trace")))
        return

    due = args.due if args.due is not None else int(args.certifications * (args.due_fraction or 0.01))
    print(f"{args.certifications:,} certifications, {due:,} with a reminder due", flush=True)
    started = time.monotonic()
    database = run_name(DATABASE)
    url = create_database(database)
    try:
        with Redis() as redis_url:
            print(child("generate", url, redis_url, str(args.certifications), str(due)), end="", flush=True)
            print(f"generated in {time.monotonic() - started:.0f} s", flush=True)
            first = json.loads(child("time", url, redis_url))
            print("pass:        ", first, flush=True)
            again = json.loads(child("time", url, redis_url))
            print("pass again:  ", again, flush=True)
            child("reset", url, redis_url)
            traced = json.loads(child("trace", url, redis_url))
            print("pass traced: ", traced, flush=True)
    finally:
        if not args.keep:
            drop_database(database)


if __name__ == "__main__":
    main()
