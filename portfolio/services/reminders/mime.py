"""The outbox's emails as the bytes Django's SMTP backend sends, built without Django's MIME objects.

Django's ``EmailMessage.message().as_bytes()`` builds a tree of ``email.mime`` objects and
re-folds every header through ``email.header.Header``: about 1 ms of CPU a message, and the
SMTP backend parses the sender's and each recipient's address again for every message. That
was a third of a worker's time per reminder. Here the same bytes are written directly for the
one shape the outbox sends (a text body with one HTML alternative in UTF-8, lines of at most
998 bytes, no attachments, cc or reply-to), the headers that are the same for every message
are worked out once, and anything else goes through Django as before.

"The same bytes" is meant literally: for a given ``Date`` and MIME boundary (both different for
every message anyway), ``message_bytes`` returns exactly ``email.message().as_bytes()`` of
Django and the standard library; tests/portfolio/reminders/test_mime.py compares the two for
the outbox's own emails and for generated subjects, addresses and bodies.
"""

from __future__ import annotations

import contextlib
import functools
import re
import smtplib
from collections.abc import Callable
from email import base64mime, quoprimime
from email.generator import Generator
from email.policy import compat32
from email.utils import formatdate

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends import smtp
from django.core.mail.message import forbid_multi_line_headers, sanitize_address

DJANGO_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
OUTBOX_SMTP_BACKEND = "portfolio.services.reminders.mime.OutboxSMTPBackend"

# compat32, the policy of Django's MIME classes, folds header lines at 78 characters.
_MAX_LINE = 78
# The generator's line-end pattern (email.generator.NLCRE): a body's lines end in linesep.
_LINE_END = re.compile(r"\r\n|\r|\n")
# A line of the data starting with a dot gets another (RFC 5321 4.5.2, as smtplib does).
_LEADING_DOT = re.compile(rb"(?m)^\.")
# RFC 5322's line limit: a longer line makes Django encode the part quoted-printable.
_MAX_BODY_LINE = 998
# Addresses whose parsed and re-formatted form (sanitize_address) is the address itself:
# dot-atom local part, ASCII labels of 1-63 characters.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\Z"
)
# Header names whose value Django's message() sets or derives itself.
_OWN_HEADERS = {
    "from",
    "to",
    "cc",
    "reply-to",
    "date",
    "subject",
    "content-type",
    "mime-version",
    "content-transfer-encoding",
}
# RFC 2047 encoded words of UTF-8: "=?utf-8?b?" ... "?=", 12 characters of chrome; email.header
# fits the first one in 78 characters and the next ones in 77 (after the folding space).
_CHROME = len("=?utf-8?b??=")
_FIRST_WORD, _NEXT_WORD = _MAX_LINE - _CHROME, _MAX_LINE - 1 - _CHROME
# Bytes that quoted-printable header encoding writes as one character (email.quoprimime).
_QP_PLAIN = frozenset(b"-!*+/ ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")


def message_bytes(
    email: EmailMessage, linesep: str = "\r\n", *, date: str | None = None, boundary: str | None = None
) -> bytes:
    """``email.message().as_bytes(linesep=linesep)``, built directly when the email's shape allows.

    ``date`` and ``boundary`` are for the tests (a real message gets the current time and a
    random boundary, as Django's does).
    """
    if _plain_shape(email):
        built = _build(email, linesep, date or formatdate(localtime=settings.EMAIL_USE_LOCALTIME), boundary)
        if built is not None:
            return built
    message = email.message()
    if date is not None:
        message.replace_header("Date", date)
    if boundary is not None:
        message.set_boundary(boundary)
    return message.as_bytes(linesep=linesep)


def envelope(email: EmailMessage) -> tuple[str, list[str]]:
    """The sender and recipients as the SMTP backend passes them to ``sendmail``."""
    encoding = email.encoding or settings.DEFAULT_CHARSET
    return _sanitized(email.from_email, encoding), [
        _recipient(address, encoding) for address in email.recipients()
    ]


def _idle() -> None:
    """Nothing to do while the server answers."""


class OutboxSMTPBackend(smtp.EmailBackend):
    """Django's SMTP backend, sending ``message_bytes`` to the ``envelope``: the same bytes to the
    same addresses, without Django's MIME objects and address parsing for every message.

    ``begin`` also lets a sender do other work while the server takes in a message: the
    outbox renders its next email then (portfolio/services/reminders/sending.py).
    """

    def _send(self, email_message: EmailMessage) -> bool:
        if not email_message.recipients():
            return False
        try:
            transfer = self.begin(email_message)
            transfer.transmit()
            transfer.reply()
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

    def begin(self, email_message: EmailMessage, between: Callable[[], object] = _idle) -> Transfer:
        """The envelope and ``DATA``, on the open connection: a ``Transfer`` whose data is to send.

        ``smtplib.SMTP.sendmail`` in three steps, with its commands, options and errors: the
        sender refused (``SMTPSenderRefused``), every recipient refused
        (``SMTPRecipientsRefused``), ``DATA`` refused (``SMTPDataError``). ``between`` runs
        after each command is sent, before its reply is read: the sender's own work, done while
        the server answers.
        """
        sender, recipients = envelope(email_message)
        if not recipients:
            raise smtplib.SMTPRecipientsRefused({})
        data = message_bytes(email_message, "\r\n")
        server = self.connection
        server.ehlo_or_helo_if_needed()
        size = f" size={len(data)}" if server.does_esmtp and server.has_extn("size") else ""
        code, response = _command(server, between, "mail", f"from:{_quoted(sender)}{size}")
        if code != 250:
            _abandon(server, code)
            raise smtplib.SMTPSenderRefused(code, response, sender)
        refused = {}
        for recipient in recipients:
            code, response = _command(server, between, "rcpt", f"to:{_quoted(recipient)}")
            if code not in (250, 251):
                refused[recipient] = (code, response)
            if code == 421:
                server.close()
                raise smtplib.SMTPRecipientsRefused(refused)
        if len(refused) == len(recipients):
            _abandon(server, 0)
            raise smtplib.SMTPRecipientsRefused(refused)
        code, response = _command(server, between, "data")
        if code != 354:
            raise smtplib.SMTPDataError(code, response)
        return Transfer(server, data)


class Transfer:
    """A message whose envelope the server took: ``transmit`` sends its data, ``reply`` reads the
    server's verdict (raising ``SMTPDataError`` unless 250, as ``sendmail``)."""

    def __init__(self, server: smtplib.SMTP, data: bytes) -> None:
        self.server, self.data = server, data

    def transmit(self) -> None:
        """The data, dot-stuffed and ended by ``CRLF.CRLF``: the server now decides on it."""
        data = _LEADING_DOT.sub(b"..", self.data)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        self.server.send(data + b".\r\n")

    def reply(self) -> None:
        code, response = self.server.getreply()
        if code != 250:
            _abandon(self.server, code)
            raise smtplib.SMTPDataError(code, response)


def _quoted(address: str) -> str:
    """``smtplib.quoteaddr``: ``<address>``, without parsing a plain address for every message."""
    return f"<{address}>" if _PLAIN_ADDRESS.match(address) else _quoted_parsed(address)


@functools.lru_cache(maxsize=64)
def _quoted_parsed(address: str) -> str:
    return smtplib.quoteaddr(address)


def _command(server: smtplib.SMTP, between: Callable[[], object], name: str, argument: str = ""):
    """One SMTP command and its reply (``smtplib.SMTP.docmd``), ``between`` run in between."""
    server.putcmd(name, argument)
    between()
    return server.getreply()


def _abandon(server: smtplib.SMTP, code: int) -> None:
    """After a refusal, as ``sendmail``: 421 closes the connection, anything else resets it."""
    if code == 421:
        server.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        server.rset()


def outbox_connection():
    """The mail backend the outbox sends with: ``OutboxSMTPBackend`` where Django's SMTP backend
    is configured (same settings, same behaviour), else the configured backend itself."""
    if settings.EMAIL_BACKEND == DJANGO_SMTP_BACKEND:
        return get_connection(OUTBOX_SMTP_BACKEND, fail_silently=False)
    return get_connection(fail_silently=False)


def _plain_shape(email: EmailMessage) -> bool:
    """A text body and one HTML alternative in UTF-8: the shape ``_build`` writes."""
    return (
        type(email) is EmailMultiAlternatives
        and (email.encoding or settings.DEFAULT_CHARSET).lower() == "utf-8"
        and isinstance(email.body, str)
        and bool(email.body)
        and len(email.alternatives) == 1
        and email.alternatives[0].mimetype == "text/html"
        and isinstance(email.alternatives[0].content, str)
        and not email.attachments
        and not email.cc
        and not email.reply_to
        and bool(email.to)
        and all(isinstance(name, str) and name.lower() not in _OWN_HEADERS for name in email.extra_headers)
    )


def _build(email: EmailMultiAlternatives, linesep: str, date: str, boundary: str | None) -> bytes | None:
    """The bytes of Django's message for the plain shape; None for what only Django writes the same
    way (a long body line, a boundary found in the text)."""
    if "message-id" not in {name.lower() for name in email.extra_headers}:
        return None  # Django makes one up (make_msgid); the outbox always sets its own
    text, html = email.body, email.alternatives[0].content
    parts = []
    for content, subtype in ((text, "plain"), (html, "html")):
        if any(len(line.encode(errors="surrogateescape")) > _MAX_BODY_LINE for line in content.splitlines()):
            return None  # Django switches to quoted-printable
        encoding = "7bit" if content.isascii() else "8bit"
        parts.append(
            f'Content-Type: text/{subtype}; charset="utf-8"{linesep}MIME-Version: 1.0{linesep}'
            f"Content-Transfer-Encoding: {encoding}{linesep}{linesep}" + _LINE_END.sub(linesep, content)
        )
    boundary = boundary or Generator._make_boundary()
    delimiter = f"--{boundary}"
    if delimiter in text or delimiter in html or len(boundary) != 36:
        return None  # the generator would look for another boundary; a long one folds differently
    headers = [
        f'Content-Type: multipart/alternative;{linesep} boundary="{boundary}"{linesep}',
        f"MIME-Version: 1.0{linesep}",
        _header("Subject", email.subject, linesep),
        _folded("From", str(email.from_email), linesep),  # the same for every message: cached
        _header("To", ", ".join(str(v) for v in email.to), linesep),
        _header("Date", date, linesep),
        *(_header(name, value, linesep) for name, value in email.extra_headers.items()),
    ]
    body = (
        f"{linesep}{delimiter}{linesep}{parts[0]}{linesep}{delimiter}{linesep}{parts[1]}"
        f"{linesep}{delimiter}--{linesep}"
    )
    try:
        return ("".join(headers) + body).encode("utf-8")
    except UnicodeEncodeError:
        return None  # lone surrogates: Django's own path says what is wrong


def _header(name: str, value: object, linesep: str) -> str:
    """One header line as Django's ``message()`` sets it and the generator folds it."""
    value = str(value)
    if value.isascii() and value.isprintable() and len(name) + 2 + len(value) <= _MAX_LINE:
        # Fits on its line: email.header leaves it as it is.
        return f"{name}: {value}{linesep}"
    if name == "Subject" and value and not value.isascii() and value.splitlines() == [value]:
        words = _encoded_words(value)
        # The first word stays on the name's line if it fits, else the line ends after "Subject: ".
        first = words[0] if len(name) + 2 + len(words[0]) <= _MAX_LINE else f"{linesep} {words[0]}"
        return f"{name}: {first}" + "".join(f"{linesep} {word}" for word in words[1:]) + linesep
    return _folded(name, value, linesep)


@functools.lru_cache(maxsize=256)
def _folded(name: str, value: str, linesep: str) -> str:
    """The standard library's way, for everything ``_header`` does not write itself."""
    name, value = forbid_multi_line_headers(name, value, "utf-8")
    return compat32.clone(linesep=linesep).fold_binary(name, value).decode("ascii", "surrogateescape")


def _encoded_words(text: str) -> list[str]:
    """``email.header.Header(text, "utf-8").encode()`` split into its encoded words.

    The standard library picks base64 or quoted-printable, whichever is shorter for the whole
    text, then fills each word with as many characters as fit (66 encoded characters in the
    first, 65 in the next); this does the same in one pass instead of re-encoding the growing
    word for every character.
    """
    data = text.encode("utf-8")
    base64 = (len(data) + 2) // 3 * 4 < sum(1 if byte in _QP_PLAIN else 3 for byte in data)
    words, start, size, room = [], 0, 0, _FIRST_WORD
    position = 0
    for character in text:
        encoded = character.encode("utf-8")
        if base64:
            grown = (position - start + len(encoded) + 2) // 3 * 4
        else:
            grown = size + sum(1 if byte in _QP_PLAIN else 3 for byte in encoded)
        if grown > room:
            words.append(_encode_word(data[start:position], base64))
            start, room = position, _NEXT_WORD
            size = 0
            grown = (
                (len(encoded) + 2) // 3 * 4 if base64 else sum(1 if b in _QP_PLAIN else 3 for b in encoded)
            )
        size = grown
        position += len(encoded)
    words.append(_encode_word(data[start:], base64))
    return words


def _encode_word(chunk: bytes, base64: bool) -> str:
    return base64mime.header_encode(chunk, "utf-8") if base64 else quoprimime.header_encode(chunk, "utf-8")


@functools.lru_cache(maxsize=64)
def _sanitized(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)


def _recipient(address: str, encoding: str) -> str:
    if isinstance(address, str) and _PLAIN_ADDRESS.match(address):
        return address
    return sanitize_address(address, encoding)
