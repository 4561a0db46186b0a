"""What a partner's API client holds and leaves behind: keys, the access log, idempotent writes."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.tokens import token_digest, token_generate, token_matches


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def usable(self, now: datetime.datetime | None = None) -> ApiKeyQuerySet:
        now = now or timezone.now()
        return self.filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now),
            revoked_at__isnull=True,
            organisation__is_partner=True,
        )


class ApiKey(models.Model):
    """A partner organisation's key to the API.

    The key is ``<prefix>.<secret>``. Only the prefix (for lookup) and a SHA-256 digest of the
    whole key are stored. A fast hash is right here, unlike for passwords: the secret is 256
    random bits, so there is nothing to guess, and a slow password hasher would cost tens of
    milliseconds on every request.
    """

    PREFIX_LENGTH = 8

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="api_keys",
        limit_choices_to={"is_partner": True},
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the key is for, e.g. 'loan system'.")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    hashed_key = models.CharField(_("hashed key"), max_length=64, editable=False)
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the default rate (API_KEY_RATE_PER_MINUTE)."),
    )
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["organisation", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="partners_apikey_unique_name_per_org",
                violation_error_message=_("This organisation already has a key with this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(rate_per_minute__isnull=True) | models.Q(rate_per_minute__gte=1),
                name="partners_apikey_rate_positive",
                violation_error_message=_("The rate must be at least one request per minute."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.name} ({self.prefix}…)"

    @staticmethod
    def digest(raw_key: str) -> str:
        return token_digest(raw_key)

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """A new token: (raw token to show once, prefix, digest)."""
        return token_generate(cls.PREFIX_LENGTH)

    def matches(self, raw_key: str) -> bool:
        return token_matches(self.hashed_key, raw_key)

    def state(self, now: datetime.datetime | None = None) -> str:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


class AccessLogEntry(models.Model):
    """One API response that carried firm data: who saw which firms, through which endpoint."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_access_log",
    )
    api_key = models.ForeignKey(
        ApiKey,
        verbose_name=_("API key"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_log",
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("staff user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="api_access_log",
    )
    method = models.CharField(_("method"), max_length=10)
    endpoint = models.CharField(_("endpoint"), max_length=100)
    path = models.CharField(_("path"), max_length=500)
    status_code = models.PositiveSmallIntegerField(_("status code"))
    # The ids as they were shown, kept even if a firm is later deleted; ``firms`` indexes them.
    firm_ids = models.JSONField(_("firm ids"), default=list)
    firms = models.ManyToManyField(
        "portfolio.Firm",
        verbose_name=_("firms"),
        related_name="api_access_log",
        blank=True,
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("API access log entry")
        verbose_name_plural = _("API access log")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="partners_access_org_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.method} {self.path}"


class IdempotencyRecord(models.Model):
    """The first result of a write sent with an ``Idempotency-Key``, replayed on a retry."""

    scope = models.CharField(
        _("scope"), max_length=40, help_text=_("'org:<id>' for a partner, 'user:<id>' for staff.")
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=500)
    response_status = models.PositiveSmallIntegerField(_("response status"))
    # Text, not JSON: a replay returns the first response byte for byte (jsonb reorders keys).
    response_body = models.TextField(_("response body"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key"],
                name="partners_idempotency_unique_key",
                violation_error_message=_("This idempotency key was already used."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
