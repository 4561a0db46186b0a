from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tokens import token_digest, token_generate, token_matches


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


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A staff member's secret calendar link: their firms' open deadlines as an iCalendar feed.

    The token in the link is ``<prefix>.<secret>``; as for the partner API keys, only the prefix
    (for lookup) and a SHA-256 digest of the whole token are stored, so the link is shown once
    when issued and a copy of the database opens no one's calendar. A fast hash is right: the
    secret is 256 random bits. Re-issuing revokes the previous link; one link is active per user.
    """

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    hashed_token = models.CharField(_("hashed token"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last fetched at"), null=True, blank=True, editable=False)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")
        ordering = ["user", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="accounts_calendarfeed_one_active_per_user",
                violation_error_message=_("This person already has an active calendar link."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"

    @staticmethod
    def digest(raw_token: str) -> str:
        return token_digest(raw_token)

    @classmethod
    def generate(cls) -> tuple[str, str, str]:
        """A new token: (raw token to show once, prefix, digest)."""
        return token_generate(cls.PREFIX_LENGTH)

    def matches(self, raw_token: str) -> bool:
        return token_matches(self.hashed_token, raw_token)
