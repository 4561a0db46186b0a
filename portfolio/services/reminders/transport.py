"""One mail connection for a batch of emails, each handed over in two steps.

``stage`` does everything that cannot make the server accept the email: open the connection if
it is not open, render the MIME bytes and, over SMTP, ``MAIL FROM``, ``RCPT TO``, ``DATA`` and
the body. ``deliver`` then sends the end of the data (``<CRLF>.<CRLF>``) and reads the answer:
only that makes an SMTP server take the email (RFC 5321, 4.1.1.4; a connection that drops before
it leaves nothing behind). The sender stages the next email while it records the previous one,
and delivers it only once that record is committed, so no more than one email at a time is
accepted and not yet recorded.

Backends other than Django's SMTP backend (the test suite's locmem, the console) have no such
steps: ``stage`` renders the message and ``deliver`` calls ``send_messages``.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

_LEADING_DOT = re.compile(rb"(?m)^\.")


class TransportError(Exception):
    """The backend reported the email as not sent, without saying why."""


class Transport:
    """Any Django mail backend: rendering in ``stage``, ``send_messages`` in ``deliver``."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self.opened = False
        self.message: EmailMessage | None = None

    @staticmethod
    def for_backend(backend) -> Transport:
        return SMTPTransport(backend) if isinstance(backend, SMTPBackend) else Transport(backend)

    def stage(self, message: EmailMessage) -> None:
        if not self.opened:
            self.backend.open()
            self.opened = True
        self.message = message

    def deliver(self) -> None:
        message, self.message = self.message, None
        if self.backend.send_messages([message]) != 1:
            raise TransportError("the mail backend did not send the message")

    def discard(self) -> None:
        """After an error: drop the connection (the next ``stage`` opens a new one)."""
        self.message = None
        self.close()

    def close(self) -> None:
        if self.opened:
            self.opened = False
            self.backend.close()


class SMTPTransport(Transport):
    """Django's SMTP backend: its connection and options, ``smtplib.SMTP.sendmail`` in two steps."""

    staged = False

    def stage(self, message: EmailMessage) -> None:
        if self.backend.connection is None:
            self.backend.open()
            self.opened = True
            # The end of the data is a 5-byte write after a pause; Nagle would hold it back
            # until the body's ACK, which a delayed ACK can keep for 40 ms.
            sock = getattr(self.backend.connection, "sock", None)
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        smtp = self.backend.connection
        # As the backend's _send: envelope addresses, CRLF line ends.
        encoding = message.encoding or settings.DEFAULT_CHARSET
        sender = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in message.recipients()]
        payload = message.message().as_bytes(linesep="\r\n")
        # As smtplib.SMTP.sendmail, up to the end of the data.
        smtp.ehlo_or_helo_if_needed()
        options = [f"size={len(payload)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
        code, answer = smtp.mail(sender, options)
        if code != 250:
            self._after_refusal(code)
            raise smtplib.SMTPSenderRefused(code, answer, sender)
        refused = {}
        for recipient in recipients:
            code, answer = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, answer)
            if code == 421:
                self.discard()
                raise smtplib.SMTPRecipientsRefused(refused)
        if len(refused) == len(recipients):
            self._after_refusal(0)
            raise smtplib.SMTPRecipientsRefused(refused)
        smtp.putcmd("data")
        code, answer = smtp.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, answer)
        body = _LEADING_DOT.sub(b"..", payload)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        self.staged = True
        smtp.send(body)

    def deliver(self) -> None:
        smtp = self.backend.connection
        smtp.send(b".\r\n")
        self.staged = False
        code, answer = smtp.getreply()
        if code != 250:
            self._after_refusal(code)
            raise smtplib.SMTPDataError(code, answer)

    def _after_refusal(self, code: int) -> None:
        if code == 421:
            self.discard()
            return
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            self.backend.connection.rset()

    def discard(self) -> None:
        """Drop the socket without QUIT: inside an unfinished DATA a QUIT would be message text.

        The server discards an email whose data did not end.
        """
        self.staged = False
        smtp, self.backend.connection = self.backend.connection, None
        self.opened = False
        if smtp is not None:
            smtp.close()

    def close(self) -> None:
        if self.staged:
            self.discard()
        elif self.backend.connection is not None:
            self.opened = False
            self.backend.close()
