"""The product's records in the Django admin (tenants and platforms: `lti_tool.tenants.admin`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from lti_tool.admin_types import ModelAdmin
from lti_tool.models import Course, LtiUser, PrivacyRecord, Submission, VideoAssignment, VideoEvent
from lti_tool.services.deletion import Deleter, submission_delete


@admin.register(LtiUser)
class LtiUserAdmin(ModelAdmin):
    list_display = ["name", "email", "tenant", "issuer", "last_launch_at"]
    list_filter = ["tenant"]
    search_fields = ["name", "email", "sub"]


@admin.register(Course)
class CourseAdmin(ModelAdmin):
    list_display = ["title", "label", "context_id", "tenant"]
    list_filter = ["tenant"]


@admin.register(VideoAssignment)
class VideoAssignmentAdmin(ModelAdmin):
    list_display = ["title", "course", "resource_link_id", "due_at"]
    search_fields = ["title", "resource_link_id"]


@admin.register(Submission)
class SubmissionAdmin(ModelAdmin):
    """Deleting here goes through the deletion service: the row stays as the record
    (state "deleted"), the LMS score is reset and a worker purges the video."""

    list_display = ["student", "assignment", "state", "is_current", "size_bytes", "created_at"]
    list_filter = ["state", "is_current", "backend"]
    search_fields = ["student__name", "filename", "video_id"]
    raw_id_fields = ["student", "assignment"]

    def delete_model(self, request: HttpRequest, obj: Submission) -> None:
        _admin_delete(request, [obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        _admin_delete(request, list(queryset.values_list("pk", flat=True)))


def _admin_delete(request: HttpRequest, ids: list[int]) -> None:
    by = Deleter("admin", name=str(request.user.get_username()))
    for pk in ids:
        submission_delete(submission_id=pk, by=by, reason="Deleted in the Django admin")


class ReadOnlyAdmin(ModelAdmin):
    """An audit trail: shown, never added, changed or deleted by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VideoEvent)
class VideoEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "tenant", "user", "submission"]
    list_filter = ["kind", "tenant"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user", "submission"]


@admin.register(PrivacyRecord)
class PrivacyRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "tenant", "subject", "requested_by"]
    list_filter = ["kind", "tenant"]
