"""Benchmark: the partner API's firm list against a bare Django view, under gunicorn on loopback.

Creates a throwaway PostgreSQL database, fills it with 100,000 firms of which 10,000 consented
to one bank (every fifth firm with a residency, two certifications, two years of the figures
the list and the ladder rules read, a financing round and a stored innovation score, scored or
not; every tenth with an innovation self-assessment), starts gunicorn on 127.0.0.1,
and drives both endpoints with wrk (or a bounded Python client when wrk is missing),
alternating, in one run. Drops the database at the end. Besides
requests per second it reports the CPU the gunicorn workers and the database's PostgreSQL
backends spent per request (Linux, PostgreSQL on this machine), which other load disturbs less.

    python bench/api_firm_list.py [--seconds 20] [--connections 8] [--workers 2] [--keep]
        [--database incubator_api_bench] [--port PORT]

Needs PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres). The
database name (``--database``, or BENCH_DB_NAME) and the port (``--port``, default a free one)
can be chosen so that two runs on one machine do not meet.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
DB_NAME = os.environ.get("BENCH_DB_NAME", "incubator_api_bench")
FIRMS, CONSENTED = 100_000, 10_000


def admin_url() -> str:
    return os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def database_url() -> str:
    return urlunparse(urlparse(admin_url())._replace(path=f"/{DB_NAME}"))


def psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql)


def env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "api_bench_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "DJANGO_SECRET_KEY": "bench-only-" + "x" * 50,
    }


TOUCH = r"""
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:  # every 100th firm: its figures changed after the seed
    # (firms with figures are every fifth, ids 1, 6, 11, ...: "% 100 = 0" matched none of them)
    cursor.execute("UPDATE portfolio_yearlyfigures SET updated_at = now() WHERE firm_id % 100 = 1")
"""

SEED = r"""
import datetime, random
import django
django.setup()
from accounts.models import Organisation, OrganisationKind
from partners.models import Consent
from partners.services.api_keys import api_key_create
from portfolio.models import (Certification, CertificationKind, FinancingEvent, Firm, Incubator,
                              InnovationSelfAssessment, Residency, YearlyFigures)

random.seed(5)
bank = Organisation.objects.create(name="基准银行", kind=OrganisationKind.BANK, is_partner=True)
incubators = [Incubator.objects.create(name=f"基准孵化器{i}", city=random.choice(["青岛", "烟台", "威海"]))
              for i in range(20)]
Firm.objects.bulk_create(
    [Firm(name=f"基准科技有限公司{i:06d}", industry=random.choice(["biomedicine", "new_materials", ""]))
     for i in range({FIRMS})], batch_size=5000)
ids = list(Firm.objects.order_by("id").values_list("id", flat=True))
consented = random.sample(ids, {CONSENTED})
Consent.objects.bulk_create([Consent(firm_id=f, organisation=bank, starts_on=datetime.date(2024, 1, 1))
                             for f in consented], batch_size=5000)
hnte, tsme = CertificationKind.objects.get(code="hnte"), CertificationKind.objects.get(code="tsme")
Residency.objects.bulk_create(
    [Residency(firm_id=f, incubator=random.choice(incubators), entered_on=datetime.date(2023, 5, 1))
     for f in ids[::5]], batch_size=5000)
Certification.objects.bulk_create(
    [Certification(firm_id=f, kind=k, issued_on=datetime.date(2024, 12, 1),
                   expires_on=datetime.date(2027, 11, 30))
     for f in ids[::5] for k in (hnte, tsme)], batch_size=5000)

def figures(f, y):  # what the ladder rules read (TSME, HNTE) as well as what the list shows
    revenue = random.randint(10**6, 10**8)
    rd = random.randint(revenue // 50, revenue // 10)
    return YearlyFigures(
        firm_id=f, year=y, revenue=revenue, rd_expense=rd, rd_expense_domestic=rd * 9 // 10,
        high_tech_revenue=revenue * 7 // 10, total_assets=revenue * 2, total_cost=revenue * 9 // 10,
        total_liabilities=revenue // 2, employees=random.randint(20, 200), rd_staff=random.randint(2, 20),
        ip_class1=random.randint(0, 3), ip_class2=random.randint(0, 12),
        results_converted=random.randint(0, 6))


YearlyFigures.objects.bulk_create([figures(f, y) for f in ids[::5] for y in (2024, 2025)], batch_size=5000)
Firm.objects.filter(pk__in=ids[::5]).update(founded_on=datetime.date(2018, 5, 1), core_ip=True,
                                             high_tech_field_confirmed=True, resident_enterprise=True,
                                             audited_taxation=True, industry_allowed=True)
InnovationSelfAssessment.objects.bulk_create(
    [InnovationSelfAssessment(firm_id=f, year=2026, ip_advancement=5, ip_core_support=5,
                              ip_how_obtained=4, ip_standards_bonus=0, rd_management=4, rd_institution=4,
                              conversion_incentives=2, training_rewards=2)
     for f in ids[::10]], batch_size=5000)
FinancingEvent.objects.bulk_create(
    [FinancingEvent(firm_id=f, kind="equity", instrument="a", amount=10**7,
                    occurred_on=datetime.date(2024, 6, 1)) for f in ids[::5]], batch_size=5000)
from django.utils import timezone
from scoring.models import FirmScore
FirmScore.objects.bulk_create(  # every fifth firm scored (half of them: too little data)
    [FirmScore(firm_id=f, pack_version="ours-2025.1", year=2025, stage="growth", cohort_key="2025/city:青岛",
               cohort_size=2000, computed_at=timezone.now(),
               **({"status": "scored", "total": random.randint(3000, 9000) / 100, "completeness": "0.7700"}
                  if i % 2 else {"status": "no_score", "reasons": ["incomplete"], "completeness": "0.4500"}))
     for i, f in enumerate(ids[::5])], batch_size=5000)
from django.db import connection
with connection.cursor() as cursor:  # fresh bulk-loaded tables need statistics for sane plans
    cursor.execute("ANALYZE")
key, raw = api_key_create(organisation=bank, name="bench", rate_per_minute=10**9)
print(bank.pk, raw)
""".replace("{FIRMS}", str(FIRMS)).replace("{CONSENTED}", str(CONSENTED))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (Linux /proc; 0 where unreadable)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(master: int) -> list[int]:
    """The gunicorn workers and the PostgreSQL backends connected to the bench database."""
    import psycopg

    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [DB_NAME]
        ).fetchall()
    return [int(pid) for pid in children] + [pid for (pid,) in rows]


def fetch(url: str, key: str | None) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Api-Key {key}"} if key else {})  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return json.loads(response.read())


def check_same_shape(api: dict, bare: dict) -> None:
    """Both answer the same 50 firms with the same fields, and the same ladder summaries (the
    bare view formats numbers and dates its own way: only the keys are compared elsewhere)."""
    api_firms, bare_firms = api["results"], bare["results"]
    assert len(api_firms) == len(bare_firms) == 50, (len(api_firms), len(bare_firms))
    for a, b in zip(api_firms, bare_firms, strict=True):
        assert a["id"] == b["id"] and set(a) == set(b), (a["id"], b["id"], set(a) ^ set(b))
        assert a["ladder"] == b["ladder"], (a["id"], a["ladder"], b["ladder"])
        assert (a["innovation_score"] is None) == (b["innovation_score"] is None), a["id"]
        for part in ("current_residency", "innovation_score", "financing_summary", "latest_figures"):
            if a[part] is not None:
                assert set(a[part]) - {"months_left"} == set(b[part]), (part, set(a[part]) ^ set(b[part]))
    assert any(firm["ladder"] for firm in api_firms) and any(firm["innovation_score"] for firm in api_firms)


def measured(client, url: str, key: str | None, args: argparse.Namespace, master: int) -> dict:
    """One client run, plus the CPU the server side (app + PostgreSQL) spent per request:
    a figure that other load on the machine disturbs far less than requests per second."""
    pids = server_pids(master)
    before = cpu_seconds(pids)
    result = client(url, key, args.seconds, args.connections)
    spent = cpu_seconds(pids) - before
    result["cpu_ms"] = spent * 1000 / result["requests"] if result["requests"] and spent else None
    return result


def run_wrk(url: str, key: str | None, seconds: int, connections: int) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if key:
        cmd[1:1] = ["-H", f"Authorization: Api-Key {key}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    pct = {p: re.search(rf"\s{p}%\s+([\d.]+\w+)", out).group(1) for p in ("50", "90", "99")}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "requests": requests, **pct, "non_2xx": int(errors.group(1)) if errors else 0}


def run_python_client(url: str, key: str | None, seconds: int, connections: int) -> dict:
    """Bounded fallback when wrk is not installed: threads issuing requests for `seconds`."""
    import threading

    latencies: list[float] = []
    non_2xx = [0]
    stop = time.monotonic() + seconds
    headers = {"Authorization": f"Api-Key {key}"} if key else {}

    def worker() -> None:
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:  # noqa: S310
                    r.read()
            except Exception:
                non_2xx[0] += 1
            latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()

    def pct(p: float) -> str:
        return f"{latencies[int(len(latencies) * p / 100) - 1] * 1000:.2f}ms"

    return {
        "rps": len(latencies) / seconds,
        "requests": len(latencies),
        "50": pct(50),
        "90": pct(90),
        "99": pct(99),
        "non_2xx": non_2xx[0],
    }


def main() -> None:
    global DB_NAME
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per endpoint")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--database", default=DB_NAME, help="the throwaway database's name")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    args = parser.parse_args()
    DB_NAME = args.database

    psql(f"DROP DATABASE IF EXISTS {DB_NAME}")
    psql(f"CREATE DATABASE {DB_NAME}")
    try:
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env(), check=True)
        started = time.monotonic()
        seeded = subprocess.run(
            [python, "-c", SEED], cwd=ROOT, env=env(), check=True, stdout=subprocess.PIPE, text=True
        )
        bank_id, key = seeded.stdout.split()[-2:]
        print(f"seeded {FIRMS} firms, {CONSENTED} consented, in {time.monotonic() - started:.0f}s")
        # An incremental sync after the seed: 1% of the firms' latest figures change afterwards.
        since = urllib.parse.quote(datetime.datetime.now(datetime.UTC).isoformat())
        subprocess.run([python, "-c", TOUCH], cwd=ROOT, env=env(), check=True)
        port = args.port or free_port()
        server = subprocess.Popen(
            [python, "-m", "gunicorn", "wsgi_for_bench:application", "-b", f"127.0.0.1:{port}",
             "-w", str(args.workers), "--access-logfile", "/dev/null"],
            cwd=BENCH, env={**env(), "DJANGO_LOG_LEVEL": "WARNING"},
        )  # fmt: skip
        try:
            wait_for(port)
            base = f"http://127.0.0.1:{port}"
            api_url, bare_url = (
                f"{base}/api/v1/firms/?page_size=50",
                f"{base}/bench/bare-firms/?bank={bank_id}",
            )
            since_url = f"{base}/api/v1/firms/?page_size=50&updated_since={since}"
            check_same_shape(fetch(api_url, key), fetch(bare_url, None))  # warms both up, too
            changed = fetch(since_url, key)["results"]  # about 100 changed: a full page
            assert len(changed) == 50 and all(firm["ladder"] for firm in changed), len(changed)
            client = run_wrk if shutil.which("wrk") else run_python_client
            results: dict[str, list[dict]] = {"api": [], "bare": [], "api_updated_since": []}
            for _ in range(args.rounds):
                results["api"].append(measured(client, api_url, key, args, server.pid))
                results["bare"].append(measured(client, bare_url, None, args, server.pid))
                results["api_updated_since"].append(measured(client, since_url, key, args, server.pid))
        finally:
            server.terminate()
            server.wait(20)
    finally:
        if not args.keep:
            psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    report(results, args, client.__name__)


def report(results: dict, args: argparse.Namespace, client: str) -> None:
    setup = f"workers={args.workers} connections={args.connections} {args.seconds}s x {args.rounds}"
    print(f"\nclient={client} {setup}")
    print("| endpoint | round | req/s | p50 | p90 | p99 | non-2xx | server CPU ms/request |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in results:
        for i, r in enumerate(results[name], 1):
            cpu = f"{r['cpu_ms']:.1f}" if r["cpu_ms"] else "n/a"
            latency = f"{r['50']} | {r['90']} | {r['99']}"
            print(f"| {name} | {i} | {r['rps']:.1f} | {latency} | {r['non_2xx']} | {cpu} |")
    api = sum(r["rps"] for r in results["api"]) / len(results["api"])
    bare = sum(r["rps"] for r in results["bare"]) / len(results["bare"])
    print(
        f"\nmean req/s: api {api:.1f}, bare {bare:.1f}; api/bare = {api / bare:.2f} ({datetime.date.today()})"
    )
    cpu = {name: [r["cpu_ms"] for r in results[name] if r["cpu_ms"]] for name in results}
    if cpu["api"] and cpu["bare"]:
        api_cpu, bare_cpu = (sum(cpu[name]) / len(cpu[name]) for name in ("api", "bare"))
        print(f"mean server CPU per request: api {api_cpu:.1f} ms, bare {bare_cpu:.1f} ms")


if __name__ == "__main__":
    main()
