"""Sending: claim the emails, talk to SMTP, record each outcome the moment the server answers."""

from __future__ import annotations

import datetime
import functools
import itertools
import logging
import re
import select
import smtplib
import socket
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import F
from django.utils import timezone
from psycopg import errors as psycopg_errors
from psycopg import pq

from portfolio.models import DeliveryStatus
from portfolio.services.reminders.mime import OutboxSMTPBackend, Transfer, outbox_connection
from portfolio.services.reminders.outbox import waiting
from portfolio.services.reminders.registry import Outbound, outbound_kind
from portfolio.services.reminders.rendering import message_id, message_steps

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendOutcome:
    id: int
    email: str
    status: str
    subject: str = ""
    error: str = ""


class TransientError(Exception):
    pass


def classify_error(exc: BaseException) -> tuple[bool, str]:
    """(transient, reason): 4xx, refused connections and timeouts are retried; 5xx are final."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {code} {msg!r}" for rcpt, (code, msg) in exc.recipients.items())
        return all(400 <= c < 500 for c in codes), f"recipient refused: {detail}"
    if isinstance(exc, smtplib.SMTPResponseException):
        message = (
            exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        )
        return not 500 <= exc.smtp_code < 600, f"SMTP {exc.smtp_code} {message}"
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError | socket.timeout):
        return True, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, TransientError | OSError):
        return True, f"{type(exc).__name__}: {exc}"
    # Invalid addresses (ValueError from address parsing) and anything else cannot heal by waiting.
    return False, f"{type(exc).__name__}: {exc}"


def retry_delay(attempts: int) -> int:
    """Seconds before attempt ``attempts + 1``: base * 2^(attempts - 1), capped."""
    base = settings.REMINDER_RETRY_BASE_SECONDS
    return int(min(base * 2 ** max(attempts - 1, 0), settings.REMINDER_RETRY_CAP_SECONDS))


def _claim(model: Outbound, ids: list[int]) -> tuple[list, list[SendOutcome]]:
    """Take the given emails for sending in one short transaction; say why for the others.

    Claimed rows are ``sending`` with attempts + 1 and the claim time. Rows that are not
    waiting, or are locked by another sender right now, are skipped.
    """
    now = timezone.now()
    refused: list[SendOutcome] = []
    kind = outbound_kind(model)
    with transaction.atomic():
        # Locked and read with everything their emails show, in one query (only these rows
        # are locked, not the ones joined to them).
        locking = model.objects.select_for_update(skip_locked=True, of=("self",))
        rows = list(
            kind.related(locking).filter(pk__in=ids).filter(waiting(now, requeue=False)).order_by("pk")
        )
        # The kind's own rule (its deadline closed, the firm submitted meanwhile...), read at once.
        refusals = kind.refusals(rows) if rows else {}
        claimed = []
        for row in rows:
            status, reason = _refusal(row, refusals)
            if status:
                row.status, row.last_error = status, reason
                row.save(update_fields=["status", "last_error", "updated_at"])
                refused.append(SendOutcome(row.pk, row.email, status, error=reason))
            else:
                claimed.append(row)
        model.objects.filter(pk__in=[r.pk for r in claimed]).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
        )
        for row in claimed:
            row.status, row.attempts, row.claimed_at = DeliveryStatus.SENDING, row.attempts + 1, now
    taken = {r.pk for r in rows}
    refused += [SendOutcome(pk, "", "skipped") for pk in ids if pk not in taken]
    return claimed, refused


def _refusal(row, refusals: dict[int, tuple[str, str]]) -> tuple[str, str]:
    if row.status == DeliveryStatus.SENDING and row.attempts >= settings.REMINDER_MAX_ATTEMPTS:
        # Its senders keep dying while sending it: stop, and let staff look at it.
        return DeliveryStatus.FAILED, f"the sender died during each of {row.attempts} attempts"
    return refusals.get(row.pk, ("", ""))


def _finish(model: Outbound, row: models.Model, *, durable: bool = True, **fields: object) -> bool:
    """Record the outcome, fenced by our claim: False if another sender took the row over.

    One ``UPDATE`` in its own (autocommit) transaction, written as SQL once per model and set of
    fields: building it with the ORM for every message cost about 0.4 ms of CPU here, most of
    what the statement's round trip takes.
    ``durable=False`` (the sent record, unless ``REMINDER_SENT_RECORD_DURABLE``) has PostgreSQL
    commit it without waiting for its WAL flush: the statement itself runs
    ``set_config('synchronous_commit', 'off', true)``, which is ``SET LOCAL`` for this one
    transaction, in the same round trip; the session keeps its setting. The commit is visible
    to every other sender at once; only a crash of PostgreSQL or its machine can lose it (README,
    "Reminders", the one window).
    """
    connection = connections[router.db_for_write(model)]
    sql, params = _fenced_update(connection, model, row, durable, fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        updated = cursor.rowcount
    return _held(model, row, updated)


def _finish_later(model: Outbound, row: models.Model, *, durable: bool = True, **fields: object):
    """``_finish`` without waiting for the database's answer: returns the function that waits.

    On PostgreSQL the statement goes out through libpq's asynchronous interface on the
    connection Django holds (one statement, so its own transaction, committed when it ends),
    and nothing else may use the connection until the function has read the answer
    (``_Batch._confirm``). Elsewhere the statement runs at once, as ``_finish``.
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        updated = _finish(model, row, durable=durable, **fields)
        return lambda: updated
    sql, params = _fenced_update(connection, model, row, durable, fields)
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    started = time.perf_counter()
    with connection.wrap_database_errors:
        pgconn.send_query_params(_numbered(sql), [_text(value) for value in params])
        while pgconn.flush():
            select.select([], [pgconn.socket], [])

    def confirm() -> bool:
        with connection.wrap_database_errors:
            updated = _rows_updated(connection.connection)
        if connection.queries_logged:
            # As Django's debug cursor logs a statement (assertNumQueries, django-debug-toolbar).
            connection.queries_log.append(
                {"sql": f"{sql} -- {params!r}", "time": f"{time.perf_counter() - started:.3f}"}
            )
        return _held(model, row, updated)

    return confirm


def _held(model: Outbound, row: models.Model, updated: int) -> bool:
    if not updated:
        logger.warning(
            "%s %s was taken over by another sender after its lease ran out", model.__name__, row.pk
        )
    return bool(updated)


def _fenced_update(connection, model: Outbound, row: models.Model, durable: bool, fields: dict):
    """The fenced ``UPDATE`` of ``fields`` (and ``updated_at``) and its parameters."""
    fields["updated_at"] = timezone.now()
    asynchronous = not durable and connection.vendor == "postgresql"
    sql = _fenced_update_sql(model, tuple(fields), asynchronous, connection.alias)
    meta = model._meta
    params = [meta.get_field(name).get_db_prep_save(value, connection) for name, value in fields.items()]
    params += [
        meta.pk.get_db_prep_value(row.pk, connection),
        DeliveryStatus.SENDING,
        meta.get_field("claimed_at").get_db_prep_value(row.claimed_at, connection),
    ]
    return sql, params


@functools.cache
def _numbered(sql: str) -> bytes:
    """``%s`` placeholders as libpq's ``$1``, ``$2``...: the statement as ``send_query_params`` takes it."""
    count = itertools.count(1)
    return re.sub(r"%s", lambda _: f"${next(count)}", sql).encode()


def _text(value: object) -> bytes | None:
    """A parameter in PostgreSQL's text format (the types the outbox's records use)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat().encode()
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value).encode()
    raise TypeError(f"no text format for {type(value).__name__} here")


def _rows_updated(pg) -> int:
    """Read the answer of the statement sent by ``_finish_later``: the rows it updated."""
    pgconn = pg.pgconn
    updated, failure = 0, None
    while True:
        while pgconn.is_busy():
            select.select([pgconn.socket], [], [])
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:
            break
        if result.status == pq.ExecStatus.COMMAND_OK:
            updated += int(result.command_tuples or 0)
        elif failure is None:
            failure = result
    if failure is not None:
        raise psycopg_errors.error_from_result(failure, encoding=pg.info.encoding)
    return updated


@functools.cache
def _fenced_update_sql(model: Outbound, names: tuple[str, ...], asynchronous: bool, alias: str) -> str:
    """``UPDATE <table> SET <names> WHERE pk = %s AND status = %s AND claimed_at = %s``."""
    quote = connections[alias].ops.quote_name
    meta = model._meta
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments}"  # noqa: S608 - names from the model
    if asynchronous:
        sql += " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit"
    status, claimed_at = meta.get_field("status").column, meta.get_field("claimed_at").column
    return f"{sql} WHERE {quote(meta.pk.column)} = %s AND {quote(status)} = %s AND {quote(claimed_at)} = %s"


def outbound_send(model: Outbound, ids: Iterable[int], *, connection=None) -> list[SendOutcome]:
    """Send the given emails (tasks call this with up to REMINDER_SEND_BATCH_SIZE ids).

    Claimed together in one transaction, then each is sent and its outcome recorded in its
    own transaction right after the SMTP server answers. Safe to run twice or concurrently.
    """
    from celery import current_app

    claimed, outcomes = _claim(model, list(ids))
    if not claimed:
        return outcomes
    batch = _Batch(model, connection or outbox_connection(), current_app)
    try:
        batch.send(claimed)
    except BaseException:
        batch.close(failing=True)
        raise
    batch.close()
    return outcomes + batch.outcomes


class _Batch:
    """A task's claimed emails, sent in order over one connection (reopened after a failure).

    Over the outbox's SMTP backend the sender works while the servers do
    (``OutboxSMTPBackend.begin``): the next email is rendered a step at a time while the SMTP
    server answers each command of the current one, and once it says 250 the sent record goes
    to the database at once; the next envelope goes out while the database commits it. The
    record is confirmed before the next message's data is sent, so at most one accepted message
    is ever unrecorded, as when each step waited for the last. Any other mail backend sends and
    records one message at a time.
    """

    def __init__(self, model: Outbound, connection, app) -> None:
        self.model, self.connection, self.app = model, connection, app
        self.streaming = isinstance(connection, OutboxSMTPBackend)
        self.opened = False
        self.outcomes: list[SendOutcome] = []
        self.unconfirmed: Callable[[], bool] | None = None

    def send(self, rows: list) -> None:
        building = self._building(rows, 0)
        for index, row in enumerate(rows):
            building.finish()
            following = self._building(rows, index + 1)
            if building.error is not None:
                self._not_built(row, building.error)
            elif self.streaming:
                transfer = self._begin(row, building.value, following)
                if transfer is not None:
                    self._end(row, building.value, transfer, following)
            else:
                self._send_whole(row, building.value)
            building = following

    def close(self, *, failing: bool = False) -> None:
        try:
            self._confirm()
        except Exception:
            if not failing:
                raise
            logger.exception("could not confirm the last sent record of the batch")
        finally:
            if self.opened:
                self.connection.close()
                self.opened = False

    def _building(self, rows: list, index: int) -> _Steps:
        if index == len(rows):
            return _Steps(None)
        return _Steps(message_steps(self.model, rows[index], connection=self.connection))

    def _not_built(self, row, error: Exception) -> None:
        logger.error("could not build %s %s", self.model.__name__, row.pk, exc_info=error)
        self._confirm()
        reason = f"could not build the email: {error}"
        _finish(self.model, row, status=DeliveryStatus.FAILED, last_error=reason)
        self.outcomes.append(SendOutcome(row.pk, row.email, DeliveryStatus.FAILED, error=str(error)))

    def _open(self) -> None:
        if not self.opened:
            self.connection.open()
            self.opened = True

    def _begin(self, row, message, building: _Steps) -> Transfer | None:
        """The envelope, then (the previous record confirmed) the data: None if refused."""
        try:
            self._open()
            transfer = self.connection.begin(message, building)
        except Exception as exc:
            self._failed(row, message, exc)
            return None
        # A record that did not commit stops the batch here, before this message's data.
        self._confirm()
        try:
            transfer.transmit()
        except Exception as exc:
            self._failed(row, message, exc)
            return None
        return transfer

    def _end(self, row, message, transfer: Transfer, building: _Steps) -> None:
        building()  # while the server takes in the data
        try:
            transfer.reply()
        except Exception as exc:
            self._failed(row, message, exc)
            return
        self._sent(row, message, later=True)

    def _send_whole(self, row, message) -> None:
        try:
            self._open()
            if self.connection.send_messages([message]) != 1:
                raise TransientError("the mail backend did not send the message")
        except Exception as exc:
            self._failed(row, message, exc)
            return
        self._sent(row, message, later=False)

    def _sent(self, row, message, *, later: bool) -> None:
        """Record the message as sent: at once, or ``later`` (sent now, confirmed by ``_confirm``)."""
        record = _finish_later if later else _finish
        recorded = record(
            self.model,
            row,
            durable=settings.REMINDER_SENT_RECORD_DURABLE,
            status=DeliveryStatus.SENT,
            sent_at=timezone.now(),
            message_id=message_id(self.model, row.pk),
        )
        if later:
            self.unconfirmed = recorded
        self.outcomes.append(SendOutcome(row.pk, row.email, DeliveryStatus.SENT, subject=message.subject))

    def _failed(self, row, message, exc: BaseException) -> None:
        transient, reason = classify_error(exc)
        self.connection.close()
        self.opened = False
        self._confirm()
        self.outcomes.append(_record_failure(self.model, row, transient, reason, message.subject, self.app))

    def _confirm(self) -> None:
        """Wait for the last sent record's commit (before the next message can be accepted)."""
        if self.unconfirmed is not None:
            confirm, self.unconfirmed = self.unconfirmed, None
            confirm()


class _Steps:
    """A generator run one step per call (whenever the sender waits anyway), then its value.

    An exception in a step ends it and is kept in ``error``: it belongs to the email being
    built, not to the one on the wire.
    """

    def __init__(self, generator: Generator | None) -> None:
        self.generator = generator
        self.value = None
        self.error: Exception | None = None

    def __call__(self) -> None:
        if self.generator is None:
            return
        try:
            next(self.generator)
        except StopIteration as stop:
            self.value, self.generator = stop.value, None
        except Exception as exc:
            self.error, self.generator = exc, None

    def finish(self) -> None:
        while self.generator is not None:
            self()


def _record_failure(model: Outbound, row, transient: bool, reason: str, subject: str, app) -> SendOutcome:
    if transient and row.attempts < settings.REMINDER_MAX_ATTEMPTS:
        delay = retry_delay(row.attempts)
        now = timezone.now()
        _finish(
            model,
            row,
            status=DeliveryStatus.PENDING,
            last_error=reason[:2000],
            next_attempt_at=now + datetime.timedelta(seconds=delay),
            enqueued_at=now,
        )
        # With a broker, a task comes back after the delay (a short countdown, never a far-future
        # ETA); in-process (no broker) the next pass picks the row up once it is due.
        if not app.conf.task_always_eager:
            _schedule_retry(model, row, delay)
        return SendOutcome(row.pk, row.email, DeliveryStatus.PENDING, subject=subject, error=reason)
    if transient:
        reason = f"gave up after {row.attempts} attempts: {reason}"
    _finish(model, row, status=DeliveryStatus.FAILED, last_error=reason[:2000])
    return SendOutcome(row.pk, row.email, DeliveryStatus.FAILED, subject=subject, error=reason)


def _schedule_retry(model: Outbound, row, delay: int) -> None:
    """Queue the retry; if the broker cannot take it, leave the row to the next pass.

    The row is already pending with its attempt and error recorded. A broker that is down must
    not abort the batch (the other claimed emails would stay ``sending`` until their lease runs
    out), so the failure is logged and the row marked as not handed over: the next pass takes it
    once it is due.
    """
    task = outbound_kind(model).send_task()
    try:
        task.apply_async(([row.pk],), countdown=delay)
    except Exception:
        logger.exception(
            "could not schedule the retry of %s %s; the next pass will pick it up", model.__name__, row.pk
        )
        model.objects.filter(pk=row.pk, status=DeliveryStatus.PENDING).update(enqueued_at=None)
