"""People and organisations: users with their incubator memberships, partner organisations."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import CalendarFeed, IncubatorMembership, Organisation, User
from accounts.services import calendar_feed_issue, calendar_feed_revoke


class MembershipInline(admin.TabularInline):
    model = IncubatorMembership
    extra = 0
    autocomplete_fields = ["incubator"]


# The session key that carries a new calendar link from the POST to the page showing it once.
NEW_CALENDAR_URL = "accounts:new-calendar-url"


class CalendarFeedInline(admin.TabularInline):
    """The person's calendar links (the secret itself is never stored, so never shown here)."""

    model = CalendarFeed
    extra = 0
    max_num = 0
    can_delete = False
    fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields


class EmailUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "organisation", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "preferred_language"]
    list_select_related = ["organisation"]
    search_fields = ["email", "full_name"]
    autocomplete_fields = ["organisation"]
    inlines = [MembershipInline, CalendarFeedInline]
    actions = ["revoke_calendar_links"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Memberships give role groups: keep them in step, after the form's own groups saved.
        from portfolio.services.staff_roles import staff_roles_sync_user

        if any(fs.model is IncubatorMembership and fs.has_changed() for fs in formsets):
            staff_roles_sync_user(user=form.instance)

    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "phone", "preferred_language", "organisation")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )

    @admin.action(description=_("Revoke their calendar links"), permissions=["change"])
    def revoke_calendar_links(self, request, queryset):
        revoked = sum(calendar_feed_revoke(user=user) for user in queryset)
        message = ngettext("%(n)d calendar link revoked.", "%(n)d calendar links revoked.", revoked)
        self.message_user(request, message % {"n": revoked}, messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "my-calendar/",
                self.admin_site.admin_view(self.my_calendar_view),
                name="accounts_user_my_calendar",
            ),
            *super().get_urls(),
        ]

    def my_calendar_view(self, request):
        """Every staff member's own page (no model permission needed): create, renew or revoke
        the secret link to their deadline calendar. Only the link's digest is kept; the new link
        passes through the session to the page the POST redirects to, which shows it once (a
        reload then neither shows it again nor issues another)."""
        from accounts.calendar import deadlines_for_feed, feed_url

        user = request.user
        if request.method == "POST":
            if "revoke" in request.POST:
                calendar_feed_revoke(user=user)
                request.session.pop(NEW_CALENDAR_URL, None)
                self.message_user(request, _("Your calendar link was revoked; it no longer opens."))
            else:
                _feed, raw = calendar_feed_issue(user=user)
                request.session[NEW_CALENDAR_URL] = feed_url(raw)
            return HttpResponseRedirect(reverse("admin:accounts_user_my_calendar"))
        new_url = request.session.pop(NEW_CALENDAR_URL, None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("My calendar"),
            "opts": self.opts,
            "feed": CalendarFeed.objects.active().filter(user=user).first(),
            "new_url": new_url,
            "webcal_url": new_url and "webcal://" + new_url.split("://", 1)[-1],
            "deadline_count": deadlines_for_feed(user).count(),
        }
        return TemplateResponse(request, "admin/accounts/user/my_calendar.html", context)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "city", "is_partner"]
    list_filter = ["kind", "is_partner", "city"]
    search_fields = ["name", "name_en"]


@admin.register(IncubatorMembership)
class IncubatorMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "incubator", "role", "receives_reminders"]
    list_filter = ["role", "incubator"]
    list_select_related = ["user", "incubator"]
    search_fields = ["user__email", "user__full_name", "incubator__name"]
    autocomplete_fields = ["user", "incubator"]
