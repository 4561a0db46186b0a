"""People and organisations: users with their incubator memberships, partner organisations."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import IncubatorMembership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = IncubatorMembership
    extra = 0
    autocomplete_fields = ["incubator"]


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
    inlines = [MembershipInline]

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
