from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from citypocket.accounts.models import User
from citypocket.accounts.services import delete_account
from citypocket.core.privacy import Content


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_superuser", "is_active", "date_joined"]
    search_fields = ["email"]
    fieldsets = (
        (None, {"fields": ("email", "password", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_module_permission(self, request):
        return request.user.is_superuser

    # Deleting an account here erases it as the person's own deletion does: every declared rule
    # applies (a closed vote keeps its ballot). What the person wrote is kept with its text
    # replaced: the back office has no way to ask them, and the threads of others stay whole.
    def delete_model(self, request, obj):
        delete_account(user=obj, content=Content.REPLACE)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            delete_account(user=user, content=Content.REPLACE)
