"""Mail backends that fail the way SMTP servers do, for the sending tests (no network)."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class TemporarilyUnavailable(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")


class MailboxUnavailable(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"5.1.1 No such user")})


class ConnectionRefused(EmailBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


class WangTemporarilyUnavailable(EmailBackend):
    """451 for wang@hailan.example.org only; everyone else's email goes through."""

    def send_messages(self, messages):
        if any(m.to == ["wang@hailan.example.org"] for m in messages):
            raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")
        return super().send_messages(messages)
