"""Where a sent reminder's time goes: each step of ``outbound_send`` timed, in one process.

    python bench/reminders_send_steps.py --messages 1000 [--cprofile FILE] [--floor]

Creates a throwaway database (incubator_bench_reminders_steps_<pid>_<random>) with
``messages`` due reminders and a sink SMTP server (aiosmtpd, its own process), records them as
the pass does, then calls ``outbound_send`` in batches of 50 in this process (no Celery), the
first batch as warm-up. Prints the wall time per message of the claim, the load, building the
message (templates), Django's ``send_messages`` (MIME and SMTP) and ``_finish`` (the UPDATE and
its commit), this process's CPU time per message, and the WAL the server wrote meanwhile.
``DEBUG`` is off, as in production. ``--floor`` then sends the same messages again, rendered
beforehand, over one connection (as the smtplib loop of reminders_send.py), and again with the
rendering and/or a one-row asynchronous UPDATE per message added back: the cost of a worker
before any bookkeeping of its own.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.reminders_common import (
    ROOT,
    child_env,
    create_database,
    drop_database,
    free_port,
    run_name,
    wait_port,
)

DATABASE = "incubator_bench_reminders_steps"  # plus _<pid>_<random>: run_name()


def floor(ids: list[int]) -> dict:
    """The SMTP exchange alone (prebuilt bytes over one connection, as the smtplib loop of
    reminders_send.py), then with the rendering and/or a one-row asynchronous UPDATE per message
    added, and nothing else: what a worker costs before any of its own bookkeeping."""
    import smtplib
    from email.utils import parseaddr

    from django.conf import settings
    from django.db import connection

    from portfolio.models import ReminderDelivery
    from portfolio.services.reminders import build_message, load_for_sending

    loaded = load_for_sending(ReminderDelivery, ids)
    rows = [loaded[pk] for pk in ids]
    messages = [build_message(ReminderDelivery, row) for row in rows]
    payloads = [(parseaddr(m.from_email)[1], m.to, m.message().as_bytes(linesep="\r\n")) for m in messages]
    record = (
        "UPDATE portfolio_reminderdelivery SET updated_at = now() "
        "FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit WHERE id = %s"
    )
    variants = {
        "sendmail": (False, False),
        "sendmail + render": (True, False),
        "sendmail + record": (False, True),
        "sendmail + render + record": (True, True),
    }
    result = {}
    for name, (render, update) in variants.items():
        started = time.perf_counter()
        with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=settings.EMAIL_TIMEOUT) as smtp:
            for row, (sender, to, payload) in zip(rows, payloads, strict=True):
                if render:
                    build_message(ReminderDelivery, row)
                smtp.sendmail(sender, to, payload)
                if update:
                    with connection.cursor() as cursor:
                        cursor.execute(record, [row.pk])
        result[name] = round((time.perf_counter() - started) * 1000 / len(rows), 3)
    return result


def measure(messages: int, cprofile: str | None, with_floor: bool) -> dict:
    import cProfile

    from django.core.mail.backends.smtp import EmailBackend
    from django.db import connection

    from bench.reminders_pass import TODAY, generate
    from portfolio.models import DeliveryStatus, ReminderDelivery
    from portfolio.services.reminders import passes, sending

    generate(messages // 2, messages // 2)
    passes.reminders_record(today=TODAY)
    ids = list(ReminderDelivery.objects.order_by("pk").values_list("pk", flat=True))
    batches = [ids[i : i + 50] for i in range(0, len(ids), 50)]
    sending.outbound_send(ReminderDelivery, batches[0])  # warm-up

    spent: dict[str, float] = collections.defaultdict(float)

    def timed(owner, name: str, label: str) -> None:
        function = getattr(owner, name)

        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - started

        setattr(owner, name, wrapper)

    timed(sending, "_claim", "claim: lock and read the rows with their content (one per 50 messages)")
    timed(sending._Batch, "_begin", "_begin: MIME, envelope, DATA, the previous record's wait, the data")
    timed(sending._Batch, "_end", "_end: the sink's 250, the sent record sent")
    timed(sending._Steps, "__call__", "  in both: rendering the next email, a step in each wait for the sink")
    timed(sending._Batch, "_confirm", "  in both: _confirm, the wait for the previous sent record")
    timed(sending, "_finish_later", "  in _end: _finish_later, the sent record sent")
    timed(sending, "_finish", "_finish (failures: UPDATE, commit)")
    timed(EmailBackend, "send_messages", "send_messages (other backends: MIME, SMTP)")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        [lsn] = cursor.fetchone()
    profile = cProfile.Profile() if cprofile else None
    started, cpu = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    for batch in batches[1:]:
        sending.outbound_send(ReminderDelivery, batch)
    if profile:
        profile.disable()
        profile.dump_stats(cprofile)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    count = len(ids) - len(batches[0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [lsn])
        [wal] = cursor.fetchone()
    assert ReminderDelivery.objects.filter(status=DeliveryStatus.SENT).count() == len(ids)
    per_message = {label: round(total * 1000 / count, 3) for label, total in sorted(spent.items())}
    floor_ms = floor(ids[len(batches[0]) :]) if with_floor else None
    return {
        "messages": count,
        "ms_per_message": round(seconds * 1000 / count, 3),
        "cpu_ms_per_message (this process)": round(cpu * 1000 / count, 3),
        "steps_ms_per_message": per_message,
        "wal_bytes_per_message (whole server)": round(float(wal) / count),
        **({"floor_ms_per_message (no worker bookkeeping)": floor_ms} if with_floor else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--cprofile", help="also write a cProfile of the timed part to this file")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="then time the SMTP exchange alone and with rendering and a record",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import django

        django.setup()
        print(json.dumps(measure(args.messages, args.cprofile, args.floor), indent=2))
        return

    database = run_name(DATABASE)
    url = create_database(database)
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"]
    )
    try:
        wait_port(port)
        env = child_env(
            url, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), DJANGO_LOG_LEVEL="WARNING", DJANGO_DEBUG="0"
        )
        command = [sys.executable, __file__, "--child", "--messages", str(args.messages)]
        if args.cprofile:
            command += ["--cprofile", os.path.abspath(args.cprofile)]
        if args.floor:
            command.append("--floor")
        subprocess.run(command, cwd=ROOT, env=env, check=True)
    finally:
        sink.terminate()
        sink.wait(10)
        drop_database(database)


if __name__ == "__main__":
    main()
