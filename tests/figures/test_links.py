"""The founder's signed link: which links open a submission, and that every other one opens nothing."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core import signing
from django.utils import timezone

from figures.links import SALT, submission_from_token, submission_token, submission_url
from tests.figures.factories import FiguresRequestFactory, FiguresSubmissionFactory

pytestmark = pytest.mark.django_db


def test_a_valid_link_opens_its_submission():
    submission = FiguresSubmissionFactory()
    assert submission_from_token(submission_token(submission)) == submission


def test_the_link_in_emails_is_the_sites_address_and_the_page(settings):
    settings.SITE_URL = "https://portfolio.example.org"
    submission = FiguresSubmissionFactory()
    assert (
        submission_url(submission) == f"https://portfolio.example.org/figures/{submission_token(submission)}/"
    )


def test_a_wrong_signature_opens_nothing():
    token = submission_token(FiguresSubmissionFactory())
    assert submission_from_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None


def test_another_submissions_id_swapped_into_the_token_opens_nothing():
    mine, other = FiguresSubmissionFactory(), FiguresSubmissionFactory()
    token = submission_token(mine)
    payload = signing.dumps({"s": other.pk, "v": other.link_version}, salt=SALT).split(":", 1)[0]
    assert submission_from_token(payload + ":" + token.split(":", 1)[1]) is None


def test_a_token_signed_for_another_purpose_opens_nothing():
    submission = FiguresSubmissionFactory()
    assert submission_from_token(signing.dumps({"s": submission.pk, "v": 1}, salt="other")) is None


@pytest.mark.parametrize("payload", [[1, 1], {"s": "1", "v": 1}, {"s": 1}, "1", None])
def test_a_signed_payload_of_the_wrong_shape_opens_nothing(payload):
    FiguresSubmissionFactory()
    assert submission_from_token(signing.dumps(payload, salt=SALT)) is None


def test_an_expired_link_opens_nothing():
    submission = FiguresSubmissionFactory(link_expires_at=timezone.now() + datetime.timedelta(hours=1))
    token = submission_token(submission)
    assert submission_from_token(token, now=timezone.now() + datetime.timedelta(hours=2)) is None


def test_a_link_older_than_the_longest_life_opens_nothing(monkeypatch, settings):
    submission = FiguresSubmissionFactory(link_expires_at=timezone.now() + datetime.timedelta(days=3650))
    token = submission_token(submission)
    later = time.time() + (settings.FIGURES_LINK_MAX_AGE_DAYS + 1) * 86400
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert submission_from_token(token) is None


def test_a_revoked_link_opens_nothing():
    submission = FiguresSubmissionFactory()
    token = submission_token(submission)
    submission.link_revoked = True
    submission.save()
    assert submission_from_token(token) is None


def test_a_reissued_link_replaces_the_old_one():
    submission = FiguresSubmissionFactory()
    old = submission_token(submission)
    submission.link_version += 1
    submission.save()
    assert submission_from_token(old) is None
    assert submission_from_token(submission_token(submission)) == submission


def test_a_closed_requests_link_opens_nothing():
    submission = FiguresSubmissionFactory(request=FiguresRequestFactory(closed=True))
    assert submission_from_token(submission_token(submission)) is None


def test_a_deleted_submissions_link_opens_nothing():
    submission = FiguresSubmissionFactory()
    token = submission_token(submission)
    submission.delete()
    assert submission_from_token(token) is None


@pytest.mark.parametrize("token", ["", ":", "a:b:c", "x" * 2000, "ä€😀", "\x00"])
def test_garbage_opens_nothing(token):
    assert submission_from_token(token) is None
