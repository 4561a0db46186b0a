"""One FilterSet per list endpoint, with explicit fields."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from partners.models import BankRecommendation, LoanApplication
from partners.selectors import ApiViewer, firms_changed_since
from portfolio.choices import (
    CertificationStatus,
    FinancingKind,
    LoanStatus,
    RecommendationStatus,
    TechField,
)
from portfolio.models import Certification, FinancingEvent, Firm, Residency, YearlyFigures
from portfolio.selectors.certifications import with_status_on


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, normalised to UTC: PostgreSQL refuses offsets beyond ±15:59."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(
                _("Enter a time between the years 1 and 9999."), code="invalid"
            ) from exc


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names no filter at all.

    Building a FilterSet deep-copies its filters and builds a form, about 2 ms of a ~20 ms list
    request; with only pagination and ordering parameters there is nothing for it to do.
    """

    NOT_FILTERS = frozenset({"page_size", "cursor", "ordering"})

    def filter_queryset(self, request, queryset, view):
        if self.NOT_FILTERS.issuperset(request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)


class SinceFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


@extend_schema_field({"type": "number", "minimum": 0, "maximum": 99999.99, "multipleOf": 0.01})
class ScoreFilter(django_filters.NumberFilter):
    """A score to the cent (the totals are stored with two decimals)."""


class FirmFilter(django_filters.FilterSet):
    certification_kind = django_filters.CharFilter(
        method="filter_noop",
        max_length=40,
        help_text=_("Firms holding a certification of this kind (code, e.g. tsme, hnte)."),
    )
    certification_status = django_filters.ChoiceFilter(
        method="filter_noop",
        choices=CertificationStatus.choices,
        help_text=_("With certification_kind: that certification's status; alone: any certification's."),
    )
    city = django_filters.CharFilter(
        method="filter_city", max_length=60, help_text=_("City of an incubator the firm is in now.")
    )
    industry = django_filters.ChoiceFilter(choices=TechField.choices)
    min_score = ScoreFilter(
        field_name="innovation_score__total",
        lookup_expr="gte",
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text=_(
            "Firms whose innovation score is at least this (e.g. 60); firms without a score are left out."
        ),
    )
    updated_since = SinceFilter(
        method="filter_updated_since",
        help_text=_(
            "Incremental sync: firms whose data (profile, certifications, financing, figures, residency) "
            "or consent changed at or after this time (ISO 8601)."
        ),
    )

    class Meta:
        model = Firm
        fields = [
            "certification_kind",
            "certification_status",
            "city",
            "industry",
            "min_score",
            "updated_since",
        ]

    def filter_noop(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied together in filter_queryset: both must match one certification

    def filter_city(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        residencies = Residency.objects.filter(
            firm=OuterRef("pk"), exited_on__isnull=True, incubator__city=value
        )
        return queryset.filter(Exists(residencies))

    def filter_updated_since(self, queryset: QuerySet, name: str, value) -> QuerySet:
        return firms_changed_since(queryset, since=value, viewer=self.viewer)

    @property
    def viewer(self) -> ApiViewer:
        return self.request.api_viewer

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        kind = self.form.cleaned_data.get("certification_kind")
        status = self.form.cleaned_data.get("certification_status")
        if kind or status:
            certifications = Certification.objects.filter(firm=OuterRef("pk"))
            if kind:
                certifications = certifications.filter(kind__code=kind)
            if status:
                certifications = with_status_on(certifications).filter(status_today=status)
            queryset = queryset.filter(Exists(certifications))
        return queryset


class CertificationFilter(django_filters.FilterSet):
    kind = django_filters.CharFilter(field_name="kind__code", max_length=40, help_text=_("Kind code."))
    status = django_filters.ChoiceFilter(field_name="status_today", choices=CertificationStatus.choices)
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lt")

    class Meta:
        model = Certification
        fields = ["kind", "status", "expires_before"]


class FinancingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FinancingKind.choices)
    occurred_since = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte")

    class Meta:
        model = FinancingEvent
        fields = ["kind", "occurred_since"]


YEAR_MIN, YEAR_MAX = 1949, 2200


@extend_schema_field({"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX})
class YearFilter(django_filters.NumberFilter):
    """A whole year within the bounds the schema publishes (not 2020.5, not 1e3)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


class YearlyFiguresFilter(django_filters.FilterSet):
    year_from = YearFilter(field_name="year", lookup_expr="gte")
    year_to = YearFilter(field_name="year", lookup_expr="lte")

    class Meta:
        model = YearlyFigures
        fields = ["year_from", "year_to"]


class WhiteListFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RecommendationStatus.choices)
    updated_since = SinceFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = BankRecommendation
        fields = ["status", "updated_since"]


class LoanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(field_name="event__loan_status", choices=LoanStatus.choices)
    updated_since = SinceFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = LoanApplication
        fields = ["status", "updated_since"]
