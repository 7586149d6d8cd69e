from django.contrib import admin

from ksbb.forum.models import Idea


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin[Idea]):
    """Read-only here: ideas change through the forum's services, which audit them."""

    list_display = ["title", "author", "program", "status", "created_at"]
    list_filter = ["status", "program"]
    search_fields = ["title", "body"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
