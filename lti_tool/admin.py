"""The product's records in the Django admin (tenants and platforms: `lti_tool.tenants.admin`)."""

from __future__ import annotations

from django.contrib import admin

from lti_tool.admin_types import ModelAdmin
from lti_tool.models import Course, LtiUser, Submission, VideoAssignment, VideoEvent


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
    list_display = ["student", "assignment", "state", "is_current", "size_bytes", "created_at"]
    list_filter = ["state", "is_current", "backend"]
    search_fields = ["student__name", "filename", "video_id"]
    raw_id_fields = ["student", "assignment"]


@admin.register(VideoEvent)
class VideoEventAdmin(ModelAdmin):
    list_display = ["created_at", "kind", "tenant", "user", "submission"]
    list_filter = ["kind", "tenant"]
    date_hierarchy = "created_at"
    raw_id_fields = ["user", "submission"]
