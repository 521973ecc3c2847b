from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.languages import language_choices
from accounts.models import ApiToken, Team, User
from accounts.services import user_set_role


@admin.register(User)
class RelayUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (*UserAdmin.fieldsets, ("Relay", {"fields": ("role", "language")}))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "language":
            return forms.ChoiceField(
                label=db_field.verbose_name,
                choices=[("", "—"), *language_choices()],
                required=False,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj: User, form, change) -> None:
        super().save_model(request, obj, form, change)
        if "role" in form.changed_data and obj.role:
            # The role field drives scope; the matching group carries the model permissions.
            user_set_role(user=obj, role=obj.role)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "region")
    list_filter = ("parent",)
    search_fields = ("name", "region")
    filter_horizontal = ("managers",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins see who holds which token and may revoke one; keys exist only as hashes."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False
