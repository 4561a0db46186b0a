"""Benchmark: reminders delivered per second by one Celery worker, against a plain smtplib loop.

    python bench/reminders_send.py --messages 2000

Creates a throwaway database (incubator_bench_reminders_send_<pid>_<random>) with ``messages``
due reminders, starts a sink SMTP server (aiosmtpd, in its own process), a throwaway redis-server and one
worker (prefork, concurrency 1), runs the pass, and waits until every reminder is recorded as
sent. Then sends the very same messages (rendered beforehand) with smtplib over one connection.

Every process runs with ``DEBUG`` off, as production's workers do (Django's cached template
loader on, no query log); ``--debug`` measures with ``DEBUG`` on, as the development settings
have it (``config.settings.local``), which is how the first published figures were taken.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.reminders_common import (
    ROOT,
    Redis,
    child_env,
    create_database,
    drop_database,
    free_port,
    run_name,
    wait_port,
)

DATABASE = "incubator_bench_reminders_send"  # plus _<pid>_<random>: run_name()


def worker_rate() -> dict:
    from django.db.models import Max, Min

    from portfolio.models import DeliveryStatus, ReminderDelivery

    rows = ReminderDelivery.objects.filter(status=DeliveryStatus.SENT)
    span = rows.aggregate(first=Min("claimed_at"), last=Max("sent_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    count = rows.count()
    return {"sent": count, "seconds": round(seconds, 2), "per_second": round(count / seconds, 1)}


def sent_count(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        [count] = conn.execute(
            "SELECT count(*) FROM portfolio_reminderdelivery WHERE status = 'sent'"
        ).fetchone()
    return count


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, cpu = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    tree = {pid}
    for candidate in sorted(parents):
        chain, seen = candidate, set()
        while chain and chain not in tree and chain not in seen:
            seen.add(chain)
            chain = parents.get(chain, 0)
        if chain in tree:
            tree.add(candidate)
    return sum(cpu.get(member, 0.0) for member in tree)


def smtplib_rate(port: int) -> dict:
    import smtplib
    from email.utils import parseaddr

    from django.conf import settings

    from portfolio.models import ReminderDelivery
    from portfolio.services.reminders import build_message, load_for_sending

    loaded = load_for_sending(ReminderDelivery, list(ReminderDelivery.objects.values_list("pk", flat=True)))
    messages = [build_message(ReminderDelivery, delivery) for delivery in loaded.values()]
    # As Django's SMTP backend does: envelope address only, CRLF line ends.
    payloads = [(parseaddr(m.from_email)[1], m.to, m.message().as_bytes(linesep="\r\n")) for m in messages]
    started, cpu = time.perf_counter(), time.process_time()
    with smtplib.SMTP("127.0.0.1", port, timeout=settings.EMAIL_TIMEOUT) as smtp:
        for sender, to, payload in payloads:
            smtp.sendmail(sender, to, payload)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "sent": len(payloads),
        "seconds": round(seconds, 2),
        "per_second": round(len(payloads) / seconds, 1),
        "cpu_ms_per_message": round(cpu * 1000 / len(payloads), 2),
    }


def child(mode: str, env: dict[str, str], *args: str) -> str:
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
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--debug", action="store_true", help="run Django with DEBUG on")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import django

        django.setup()
        mode = args.child[0]
        if mode == "generate":
            from bench.reminders_pass import generate

            # Each due deadline reminds its firm's contact and the liaison: two messages.
            generate(int(args.child[1]), int(args.child[1]))
        elif mode == "pass":
            from bench.reminders_pass import TODAY
            from portfolio.services.reminders import reminder_pass

            print(len(reminder_pass(today=TODAY).handed_over))
        elif mode == "worker_rate":
            print(json.dumps(worker_rate()))
        else:
            print(json.dumps(smtplib_rate(int(args.child[1]))))
        return

    smtp_port = free_port()
    database = run_name(DATABASE)
    url = create_database(database)
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-c",
            "aiosmtpd.handlers.Sink",
            "-l",
            f"127.0.0.1:{smtp_port}",
        ]
    )
    worker = None
    try:
        wait_port(smtp_port)
        with Redis() as redis_url:
            env = child_env(
                url,
                REDIS_URL=redis_url,
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=str(smtp_port),
                DJANGO_LOG_LEVEL="WARNING",
                DJANGO_DEBUG="1" if args.debug else "0",
            )
            child("generate", env, str(args.messages // 2))
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--concurrency",
                    "1",
                    "-l",
                    "WARNING",
                ],
                cwd=ROOT,
                env=env,
            )
            handed_over = int(child("pass", env))
            # The worker's CPU (its processes) from the first poll that finds messages sent to
            # the last; the same span's count gives CPU per message. The poll is one query on a
            # connection of this process: a Django process started for each poll (as before
            # 2026-12-03) cost about a second of CPU, next to the worker on the two cores.
            deadline, first = time.monotonic() + 600, None
            while time.monotonic() < deadline:
                sent, cpu = sent_count(url), tree_cpu_seconds(worker.pid)
                if sent and first is None:
                    first = (sent, cpu)
                if sent >= handed_over:
                    break
                time.sleep(1)
            rate = json.loads(child("worker_rate", env))
            if first and sent > first[0]:
                rate["cpu_ms_per_message"] = round((cpu - first[1]) * 1000 / (sent - first[0]), 2)
            print(f"{handed_over} reminders")
            print("one worker:   ", json.dumps(rate), flush=True)
            print("smtplib loop: ", child("smtplib", env, str(smtp_port)).strip())
            worker.terminate()
            worker.wait(30)
            worker = None
    finally:
        if worker:
            worker.terminate()
            worker.wait(30)
        sink.terminate()
        sink.wait(10)
        if not args.keep:
            drop_database(database)


if __name__ == "__main__":
    main()
