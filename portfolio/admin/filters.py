"""List filters shared by the portfolio's changelists; their choices respect the user's scope."""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portfolio.choices import CertificationStatus, DatePrecision, DeadlineStatus
from portfolio.models import Certification, CertificationKind, Deadline, Residency
from portfolio.selectors.scope import incubators_for_user

DUE_WINDOWS = {"overdue": None, "30": 30, "90": 90, "180": 180}


class IncubatorFilter(admin.SimpleListFilter):
    """Rows of one of the user's incubators. ``firm_path`` leads to the firm ("" = the firm)."""

    title = _("incubator")
    parameter_name = "incubator"
    firm_path = "firm"
    open_only = False

    def lookups(self, request, model_admin):
        return [(str(i.pk), i.name) for i in incubators_for_user(request.user).only("pk", "name")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        residencies = Residency.objects.filter(
            firm_id=OuterRef(f"{self.firm_path}_id" if self.firm_path else "pk"), incubator_id=self.value()
        )
        return queryset.filter(Exists(residencies))


class FirmIncubatorFilter(IncubatorFilter):
    firm_path = ""


class CertificationKindFilter(admin.SimpleListFilter):
    """Firms holding (in any status) a certificate of this kind."""

    title = _("certification kind")
    parameter_name = "cert_kind"

    def lookups(self, request, model_admin):
        return [(k.code, k.display_name) for k in CertificationKind.objects.only("code", "name", "name_en")]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            Exists(Certification.objects.filter(firm_id=OuterRef("pk"), kind__code=self.value()))
        )


class CertificationStatusFilter(admin.SimpleListFilter):
    """Firms with a certificate in this status (combined with the kind filter when both are set)."""

    title = _("certification status")
    parameter_name = "cert_status"

    def lookups(self, request, model_admin):
        return CertificationStatus.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        certs = Certification.objects.filter(firm_id=OuterRef("pk"), status=self.value())
        kind = request.GET.get(CertificationKindFilter.parameter_name)
        if kind:
            certs = certs.filter(kind__code=kind)
        return queryset.filter(Exists(certs))


class DueWindowFilter(admin.SimpleListFilter):
    """Rows with an open deadline overdue, or due within the next N days."""

    title = _("deadline")
    parameter_name = "due"
    # How the filtered model reaches Deadline: the deadline's field pointing back to it.
    deadline_field = "firm"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Overdue")),
            ("30", _("Due within 30 days")),
            ("90", _("Due within 90 days")),
            ("180", _("Due within 180 days")),
        ]

    def _range(self) -> dict:
        today = timezone.localdate()
        if self.value() == "overdue":
            return {"due_on__lt": today}
        days = DUE_WINDOWS.get(self.value())
        if days is None:
            return {}
        return {"due_on__gte": today, "due_on__lte": today + datetime.timedelta(days=days)}

    def deadlines(self):
        return Deadline.objects.filter(status=DeadlineStatus.OPEN, **self._range())

    def queryset(self, request, queryset):
        if self.value() not in DUE_WINDOWS:
            return queryset
        return queryset.filter(
            Exists(self.deadlines().filter(**{f"{self.deadline_field}_id": OuterRef("pk")}))
        )


class CertificationDueWindowFilter(DueWindowFilter):
    deadline_field = "certification"


class DeadlineDueWindowFilter(DueWindowFilter):
    """On the deadline list itself: the deadline's own due date (open ones)."""

    def queryset(self, request, queryset):
        if self.value() not in DUE_WINDOWS:
            return queryset
        return queryset.filter(status=DeadlineStatus.OPEN, **self._range())


class DeadlineKindFilter(CertificationKindFilter):
    """On the deadline list: deadlines of certificates of this kind."""

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(certification__kind__code=self.value())


class DateToCompleteFilter(admin.SimpleListFilter):
    """Rows whose dates are known only to the month, the year or approximately: staff are asked
    to complete them, since what follows from them is only approximate and is not mailed."""

    title = _("date to complete")
    parameter_name = "date_to_complete"
    precision_fields: tuple[str, ...] = ()

    def lookups(self, request, model_admin):
        return [("yes", _("Date to complete")), ("no", _("Exact dates"))]

    def queryset(self, request, queryset):
        imprecise = Q()
        for name in self.precision_fields:
            imprecise |= ~Q(**{name: DatePrecision.DAY})
        if self.value() == "yes":
            return queryset.filter(imprecise)
        if self.value() == "no":
            return queryset.exclude(imprecise)
        return queryset


class CertificationDateToCompleteFilter(DateToCompleteFilter):
    precision_fields = ("issued_precision", "expires_precision")


class DeadlineDateToCompleteFilter(DateToCompleteFilter):
    precision_fields = ("due_precision",)
