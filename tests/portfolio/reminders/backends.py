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
