"""The outbox's MIME bytes, built directly, are Django's bytes: compared byte for byte.

A message's Date and MIME boundary differ from one message to the next anyway; both sides get
the same ones here, so any other difference (a header folded elsewhere, a word encoded
otherwise, a line end) shows.
"""

import email
import random
import re
import smtplib
from email.generator import Generator

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from portfolio.models import ReminderDelivery
from portfolio.services.reminders import build_message, load_for_sending, mime, reminder_pass
from tests.integration.harness import free_port
from tests.portfolio.reminders.conftest import THIRTY_DAYS_BEFORE

DATE = "Wed, 03 Dec 2026 09:46:29 -0000"
MADE_UP_ID = re.compile(rb"Message-ID: <\d+\.")
LINE_ENDS = ["\r\n", "\n"]
# Characters the emails carry: Chinese, ASCII with the header specials, accents, emoji, spaces
# of all kinds (a no-break space, an ideographic one) and what folds a header (",", ";", tabs).
TEXT = st.text(
    st.one_of(
        st.sampled_from("还剩天高企年度发展情况报表青岛海澜科技有限公司，：（）、。　"),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from("éüßñ€😀\u00a0\t"),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=160,
)


def django_bytes(message: EmailMessage, linesep: str, boundary: str) -> bytes:
    built = message.message()
    built.replace_header("Date", DATE)
    built.set_boundary(boundary)
    return built.as_bytes(linesep=linesep)


def outbox_message(subject: str, body: str, html: str, to: str = "wang@hailan.example.org", **headers):
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[to],
        headers={"Message-ID": "<reminder-42@localhost>", "Content-Language": "zh-hans", **headers},
    )
    message.attach_alternative(html, "text/html")
    return message


def built_directly(message: EmailMessage, linesep: str, boundary: str) -> bool:
    return mime._plain_shape(message) and mime._build(message, linesep, DATE, boundary) is not None


def assert_same_bytes(message: EmailMessage, *, directly: bool = True) -> None:
    for linesep in LINE_ENDS:
        boundary = Generator._make_boundary()
        ours = mime.message_bytes(message, linesep, date=DATE, boundary=boundary)
        assert ours == django_bytes(message, linesep, boundary)
        assert built_directly(message, linesep, boundary) == directly


@pytest.mark.django_db
def test_the_reminders_are_built_directly_and_byte_for_byte_as_django_builds_them(deadline, contacts):
    reminder_pass(today=THIRTY_DAYS_BEFORE, dry_run=False)  # recorded; the on-commit hand-over never runs
    loaded = load_for_sending(ReminderDelivery, list(ReminderDelivery.objects.values_list("pk", flat=True)))
    messages = [build_message(ReminderDelivery, delivery) for delivery in loaded.values()]
    assert {m.extra_headers["Content-Language"] for m in messages} == {"zh-hans", "en"}
    for message in messages:
        assert_same_bytes(message)


@given(subject=TEXT, body=TEXT, html=TEXT)
@example(
    subject="还剩30天：高企年度发展情况报表，青岛海澜科技有限公司" * 3, body="公司\n", html="<p>公司</p>"
)
@example(subject="30 days left: HNTE annual report, Hailan Technology", body="Firm\n", html="<p/>")
@example(subject="Due today: HNTE annual report, Hailan Technology (Qingdao) Co., Ltd. é", body="x", html="x")
@example(subject="A" * 69, body="x", html="x")
@example(subject="A" * 70, body="x", html="x")
@example(subject="a\u2028b", body="x\ry\r\nz\n", html="")
@example(subject="", body="x", html="x")
@example(subject="  leading, and trailing  ", body="x", html="x")
@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_emails_are_byte_for_byte_as_django_builds_them(subject, body, html):
    subject = subject.replace("\n", " ").replace("\r", " ")  # Django refuses newlines in a header
    message = outbox_message(subject, body or "x", html)
    for linesep in LINE_ENDS:
        boundary = Generator._make_boundary()
        assert mime.message_bytes(message, linesep, date=DATE, boundary=boundary) == django_bytes(
            message, linesep, boundary
        )


@given(address=st.from_regex(mime._PLAIN_ADDRESS, fullmatch=True))
@hypothesis_settings(max_examples=300, deadline=None)
def test_plain_addresses_are_their_own_envelope_address(address):
    assert mime._recipient(address, "utf-8") == sanitize_address(address, "utf-8")


@pytest.mark.parametrize(
    "address",
    [
        "wang@hailan.example.org",
        "Smith@Hailan.Example.org",
        "王@例子.中国",
        "a..b@example.org",
        '"quoted local"@example.org',
        "Wang Li <wang@hailan.example.org>",
    ],
)
def test_the_envelope_is_the_smtp_backends(address, settings):
    settings.DEFAULT_FROM_EMAIL = "孵化器平台 <noreply@incubator.example.org>"
    message = outbox_message("subject", "body", "<p>body</p>", to=address)
    sender, recipients = mime.envelope(message)
    assert sender == sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")
    assert recipients == [sanitize_address(address, "utf-8")]


def replace_alternatives(message, *alternatives):
    message.alternatives = []
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda m: setattr(m, "body", "x" * 999), id="a body line over 998 bytes"),
        pytest.param(lambda m: replace_alternatives(m, ("<p>" + "é" * 500, "text/html")), id="long html"),
        pytest.param(lambda m: m.attach("a.txt", "attached", "text/plain"), id="an attachment"),
        pytest.param(lambda m: setattr(m, "cc", ["cc@example.org"]), id="cc"),
        pytest.param(lambda m: setattr(m, "reply_to", ["staff@example.org"]), id="reply-to"),
        pytest.param(lambda m: m.extra_headers.pop("Message-ID"), id="no Message-ID of its own"),
        pytest.param(lambda m: m.extra_headers.__setitem__("Date", DATE), id="a Date of its own"),
        pytest.param(lambda m: setattr(m, "encoding", "gb18030"), id="another charset"),
        pytest.param(lambda m: m.attach_alternative("**x**", "text/markdown"), id="two alternatives"),
        pytest.param(lambda m: setattr(m, "body", "x\n--{boundary}\ny"), id="the boundary in the text"),
    ],
)
def test_other_shapes_go_through_django(change):
    message = outbox_message("还剩30天：高企年度发展情况报表", "公司：青岛海澜科技有限公司\n", "<p>公司</p>")
    change(message)
    boundary = Generator._make_boundary()
    message.body = message.body.replace("{boundary}", boundary)
    for linesep in LINE_ENDS:
        assert not built_directly(message, linesep, boundary)
        # An inner part's boundary is random, and so is the Message-ID Django makes up: the same
        # random state for both, and the Message-ID's time part left out.
        random.seed(linesep)
        ours = mime.message_bytes(message, linesep, date=DATE, boundary=boundary)
        random.seed(linesep)
        theirs = django_bytes(message, linesep, boundary)
        assert MADE_UP_ID.sub(b"", ours) == MADE_UP_ID.sub(b"", theirs)


def test_a_plain_text_email_goes_through_django():
    message = EmailMessage("subject", "body", to=["wang@hailan.example.org"], headers={"Message-ID": "<x@y>"})
    assert not mime._plain_shape(message)
    raw = mime.message_bytes(message)
    assert raw.startswith(b"Content-Type: text/plain") and b"\r\nMessage-ID: <x@y>\r\n" in raw


def test_the_outbox_sends_with_its_smtp_backend_only_where_djangos_is_configured(settings):
    settings.EMAIL_BACKEND = mime.DJANGO_SMTP_BACKEND
    assert type(mime.outbox_connection()) is mime.OutboxSMTPBackend
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert type(mime.outbox_connection()) is type(get_connection())


class Keep:
    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def test_the_outbox_backend_sends_what_djangos_sends(settings):
    keep = Keep()
    controller = Controller(keep, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", controller.port, 10
        message = outbox_message(
            "还剩30天：高企年度发展情况报表，青岛海澜科技有限公司", "公司：青岛\r\n认定\n", "<p>公司</p>"
        )
        for backend in (mime.DJANGO_SMTP_BACKEND, mime.OUTBOX_SMTP_BACKEND):
            with get_connection(backend, fail_silently=False) as connection:
                assert connection.send_messages([message]) == 1
    finally:
        controller.stop()
    (django_from, django_to, django_raw), (our_from, our_to, our_raw) = keep.received
    assert (
        (our_from, our_to) == (django_from, django_to) == ("noreply@localhost", ["wang@hailan.example.org"])
    )
    django_sent, ours = email.message_from_bytes(django_raw), email.message_from_bytes(our_raw)
    # Date and boundary differ by construction; with theirs, our bytes are the very same.
    boundary = django_sent.get_boundary()
    assert mime.message_bytes(message, date=django_sent["Date"], boundary=boundary) == django_raw
    assert ours.keys() == django_sent.keys()
    assert our_raw != django_raw  # (the boundaries differ, so the comparison above says something)


@pytest.mark.parametrize(
    "address",
    [
        "wang@hailan.example.org",
        "first.last+tag@mail.example.com",
        "Incubator <noreply@incubator.test>",
        '"Wang, Li" <wang@example.org>',
        "王 <wang@example.org>",
        "<already@example.org>",
        "",
    ],
)
def test_the_envelope_addresses_are_quoted_as_smtplib_quotes_them(address):
    assert mime._quoted(address) == smtplib.quoteaddr(address)
