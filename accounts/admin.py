from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Team, User


@admin.register(User)
class RelayUserAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (*UserAdmin.fieldsets, ("Relay", {"fields": ("role",)}))


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "region")
    list_filter = ("parent",)
    search_fields = ("name", "region")
    filter_horizontal = ("managers",)
