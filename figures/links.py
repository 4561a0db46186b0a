"""The founder's link: a signed token naming one submission and its link version.

Re-issuing or revoking a link bumps or flags the version on the submission, so every older link
stops working; a link also dies when it expires, when its request closes, or when its signature
is wrong. Every refusal looks the same to the visitor (the views answer one 404 page), so a link
never reveals whether another firm or submission exists.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from figures.models import FiguresSubmission

SALT = "figures.submission-link"


def submission_token(submission: FiguresSubmission) -> str:
    return signing.dumps({"s": submission.pk, "v": submission.link_version}, salt=SALT)


def submission_url(submission: FiguresSubmission) -> str:
    """The link as it goes into an email: the site's address and the founder page's path."""
    return settings.SITE_URL + reverse("figures:founder", args=[submission_token(submission)])


def submission_from_token(token: str, *, now: datetime.datetime | None = None) -> FiguresSubmission | None:
    """The submission a link opens, or None for any link that must not open anything."""
    try:
        data = signing.loads(
            token, salt=SALT, max_age=datetime.timedelta(days=settings.FIGURES_LINK_MAX_AGE_DAYS)
        )
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int) or not isinstance(data.get("v"), int):
        return None
    submission = (
        FiguresSubmission.objects.select_related("request__incubator", "firm").filter(pk=data["s"]).first()
    )
    now = now or timezone.now()
    if (
        submission is None
        or submission.link_version != data["v"]
        or submission.link_revoked
        or submission.link_expires_at <= now
        or submission.request.closed
    ):
        return None
    return submission
