"""What every portfolio admin shares: staff scoping, history, 404 for what a user may not see.

A staff member sees the firms of the incubators they belong to (portfolio.selectors.scope);
the querysets, the choices of every foreign key and many-to-many field, the autocomplete
results, the change/delete/history views and the exports all go through the same rule.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import IncubatorMembership, Organisation, OrganisationKind, User
from portfolio.models import Certification, FinancingEvent, Firm, Incubator, Mentor, Residency
from portfolio.selectors.scope import (
    firms_for_user,
    incubators_for_user,
    scope_to_incubators,
    scope_to_user,
    user_sees_everything,
)

# Organisations that may be picked for a role in a form (a bank recommendation's bank ...).
BANK_KINDS = [OrganisationKind.BANK]


def mentors_for_user(user: User) -> QuerySet[Mentor]:
    """Mentors serving one of the user's incubators, and the shared ones serving none."""
    if user_sees_everything(user):
        return Mentor.objects.all()
    serves = Mentor.incubators.through.objects.filter(mentor_id=OuterRef("pk"))
    return Mentor.objects.filter(Exists(scope_to_incubators(serves, user)) | ~Exists(serves))


def staff_users_for_user(user: User) -> QuerySet[User]:
    """Who may be named responsible for a residency: staff of the user's incubators."""
    if user_sees_everything(user):
        return User.objects.filter(is_staff=True)
    members = scope_to_incubators(IncubatorMembership.objects.filter(user_id=OuterRef("pk")), user)
    return User.objects.filter(Exists(members))


def choices_for(related_model: type, user: User) -> QuerySet | None:
    """The objects of ``related_model`` a user may pick in a form, or None when unrestricted."""
    if related_model is Firm:
        return firms_for_user(user)
    if related_model is Incubator:
        return incubators_for_user(user)
    if related_model is Certification:
        return scope_to_user(Certification.objects.select_related("firm", "kind"), user)
    if related_model is FinancingEvent:
        return scope_to_user(FinancingEvent.objects.select_related("firm"), user)
    if related_model is Residency:
        return scope_to_user(Residency.objects.select_related("firm", "incubator"), user)
    if related_model is Mentor:
        return mentors_for_user(user)
    if related_model is User:
        return staff_users_for_user(user)
    return None


class LineEndsTextField(forms.CharField):
    """A textarea's text with the line ends a browser sends (CRLF) stored as LF, as the fixtures
    and imports store them: saving an unchanged note is then no change (the history showed
    every multi-line note "changed" on every save)."""

    def to_python(self, value):
        value = super().to_python(value)
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value


class LineEndsMixin:
    """For model admins and inlines: every TextField's form field is a ``LineEndsTextField``."""

    formfield_overrides = {models.TextField: {"form_class": LineEndsTextField}}


class HistoryAdmin(LineEndsMixin, SimpleHistoryAdmin):
    """simple_history's admin without phantom entries: line ends normalised, a save that
    changed nothing records no history row, and an empty change reason shows empty, not "None"."""

    object_history_list_template = "admin/simple_history/object_history_list.html"

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        if change and not form.has_changed():
            obj.skip_history_when_saving = True
        return obj


class ScopedFieldsMixin:
    """Narrow foreign-key and many-to-many choices to what the user may pick."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = choices_for(db_field.related_model, request.user)
        if queryset is not None and "queryset" not in kwargs:
            kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = choices_for(db_field.related_model, request.user)
        if queryset is not None and "queryset" not in kwargs:
            kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ReadOnlyMixin:
    """Rows only the application writes (deadlines, emails): staff look and act through actions."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False


class ScopedInlineMixin(LineEndsMixin, ScopedFieldsMixin):
    pass


class ScopedAdmin(ScopedFieldsMixin, HistoryAdmin):
    """A model admin whose rows, choices and views are limited to the user's incubators.

    ``scope_path`` leads from the model to its firm ("" for the Firm itself); models that are
    not owned by a firm override ``scope_queryset``.
    """

    scope_path: str | None = "firm"
    # Many-to-many fields whose out-of-scope members a save must keep (a mentor also serving
    # another incubator stays serving it when a staff member of this one edits the mentor).
    preserve_m2m: tuple[str, ...] = ()
    show_full_result_count = False
    formfield_overrides = {**HistoryAdmin.formfield_overrides, models.URLField: {"assume_scheme": "https"}}

    def scope_queryset(self, queryset: QuerySet, user: User) -> QuerySet:
        if self.scope_path is None:
            return queryset
        return scope_to_user(queryset, user, self.scope_path)

    def get_queryset(self, request):
        return self.scope_queryset(super().get_queryset(request), request.user)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Out of scope and missing look the same: a plain 404, never "it exists elsewhere".
        raise Http404(_("No %(name)s with this ID in your incubators.") % {"name": opts.verbose_name})

    def _require_in_scope(self, request, object_id) -> None:
        if user_sees_everything(request.user):
            return
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404(
                _("No %(name)s with this ID in your incubators.") % {"name": self.opts.verbose_name}
            )

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        preserved = [name for name in self.preserve_m2m if name in form.base_fields]
        if not preserved or user_sees_everything(request.user):
            return form

        class HidesOutOfScopeForm(form):
            """The form shows (and so resubmits) only the members the user may see."""

            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                for name in preserved:
                    visible = set(self.fields[name].queryset.values_list("pk", flat=True))
                    values = self.initial.get(name) or []
                    self.initial[name] = [v for v in values if getattr(v, "pk", v) in visible]

        return HidesOutOfScopeForm

    def save_related(self, request, form, formsets, change):
        kept = {}
        if change and not user_sees_everything(request.user):
            for name in self.preserve_m2m:
                field = self.model._meta.get_field(name)
                visible = choices_for(field.related_model, request.user)
                kept[name] = list(
                    getattr(form.instance, name)
                    .exclude(pk__in=visible.values("pk"))
                    .values_list("pk", flat=True)
                )
        super().save_related(request, form, formsets, change)
        for name, pks in kept.items():
            if pks:
                getattr(form.instance, name).add(*pks)


def partner_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(Q(is_partner=True) | Q(kind__in=BANK_KINDS))
