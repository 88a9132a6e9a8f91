from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import (
    AuditEntry,
    Department,
    District,
    Organisation,
    ResidentProfile,
    RoleAssignment,
    User,
)


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class SharingCityUserAdmin(UserAdmin):
    inlines = [RoleInline]
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "Sharing City",
            {"fields": ("display_name", "preferred_language", "notification_frequency")},
        ),
    )


admin.site.register(District)
admin.site.register(Department)
admin.site.register(Organisation)
admin.site.register(ResidentProfile)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_id")
    list_filter = ("action",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
