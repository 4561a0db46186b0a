from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.choices import LoanStatus


class Language(models.TextChoices):
    CHINESE = "zh-hans", _("Chinese")
    ENGLISH = "en", _("English")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if extra["is_staff"] is not True or extra["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: incubator staff, or a partner's own staff. Logs in by email."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=Language.choices, default=Language.CHINESE
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can log into the admin site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A user with this email address already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name or self.email


class OrganisationKind(models.TextChoices):
    INCUBATOR_OPERATOR = "incubator_operator", _("Incubator operator")
    BANK = "bank", _("Bank")
    INVESTOR = "investor", _("Investor")
    INSURER = "insurer", _("Insurer")
    GUARANTOR = "guarantor", _("Guarantor")
    FUND = "fund", _("Fund")
    GOVERNMENT = "government", _("Government body")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """An institution the portfolio deals with: an incubator operator or a partner."""

    key = models.SlugField(
        _("stable key"),
        max_length=80,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Stable identifier of a record loaded from fixtures or imports; empty otherwise."),
    )
    name = models.CharField(_("name (Chinese)"), max_length=200, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    city = models.CharField(_("city"), max_length=60, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_partner = models.BooleanField(
        _("API partner"),
        default=False,
        help_text=_("A financing partner that may receive API keys and data-sharing consents."),
    )
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    MANAGER = "manager", _("Manager")
    LIAISON = "liaison", _("Liaison")
    COUNSELLOR = "counsellor", _("Counsellor")


class IncubatorMembership(models.Model):
    """A staff member's place in an incubator: what they see in the admin and are mailed about."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    incubator = models.ForeignKey(
        "portfolio.Incubator",
        verbose_name=_("incubator"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    receives_reminders = models.BooleanField(
        _("receives reminders"),
        default=True,
        help_text=_("Mail this person the deadline reminders and the weekly digest."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("incubator membership")
        verbose_name_plural = _("incubator memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "incubator"],
                name="accounts_membership_unique_user_incubator",
                violation_error_message=_("This person is already a member of this incubator."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.incubator} ({self.get_role_display()})"


# --- Partner API: keys, access log, idempotent writes, loan applications -----------------------


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
                name="accounts_apikey_unique_name_per_org",
                violation_error_message=_("This organisation already has a key with this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(rate_per_minute__isnull=True) | models.Q(rate_per_minute__gte=1),
                name="accounts_apikey_rate_positive",
                violation_error_message=_("The rate must be at least one request per minute."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.name} ({self.prefix}…)"

    @staticmethod
    def digest(raw_key: str) -> str:
        return hashlib.sha256(raw_key.encode()).hexdigest()

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """A new key: (raw key to show once, prefix, digest)."""
        prefix = secrets.token_hex(cls.PREFIX_LENGTH // 2)
        raw = f"{prefix}.{secrets.token_urlsafe(32)}"
        return raw, prefix, cls.digest(raw)

    def matches(self, raw_key: str) -> bool:
        return hmac.compare_digest(self.hashed_key, self.digest(raw_key))

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
        indexes = [models.Index(fields=["organisation", "-created_at"], name="accounts_access_org_time")]

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
                name="accounts_idempotency_unique_key",
                violation_error_message=_("This idempotency key was already used."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class LoanApplication(models.Model):
    """A bank's loan application for a firm, recorded through the API.

    The money itself is a ``portfolio.FinancingEvent`` (kind loan, origin partner API), which
    staff see as financing; this row adds what only the bank's side has: its own reference,
    the application date and the dated list of decisions.
    """

    event = models.OneToOneField(
        "portfolio.FinancingEvent",
        verbose_name=_("financing event"),
        on_delete=models.CASCADE,
        related_name="loan_application",
    )
    bank = models.ForeignKey(
        Organisation, verbose_name=_("bank"), on_delete=models.PROTECT, related_name="loan_applications"
    )
    reference = models.CharField(
        _("bank's reference"), max_length=100, blank=True, help_text=_("The bank's own id for the loan.")
    )
    applied_on = models.DateField(_("applied on"))
    requested_amount = models.DecimalField(
        _("requested amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("loan application")
        verbose_name_plural = _("loan applications")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank", "reference"],
                condition=~models.Q(reference=""),
                name="accounts_loan_unique_reference_per_bank",
                violation_error_message=_("This bank already recorded a loan with this reference."),
            ),
            models.CheckConstraint(
                condition=models.Q(requested_amount__isnull=True) | models.Q(requested_amount__gt=0),
                name="accounts_loan_requested_amount_positive",
                violation_error_message=_("The requested amount must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank} · {self.event.firm_id} · {self.applied_on}"


class LoanDecision(models.Model):
    """One step of a loan application: approved, disbursed, rejected, repaid, defaulted ..."""

    application = models.ForeignKey(
        LoanApplication,
        verbose_name=_("loan application"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    status = models.CharField(_("status"), max_length=20, choices=LoanStatus.choices)
    decided_on = models.DateField(_("decided on"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("term (months)"), null=True, blank=True)
    note = models.TextField(_("note or reason"), blank=True)
    api_key = models.ForeignKey(
        ApiKey, verbose_name=_("API key"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("loan decision")
        verbose_name_plural = _("loan decisions")
        ordering = ["application", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.status} {self.decided_on}"
