"""The product's records in the Django admin (tenants and platforms: `lti_tool.tenants.admin`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lti_tool.admin_types import ModelAdmin
from lti_tool.errors import AppError, render_app_error
from lti_tool.models import Course, LtiUser, PrivacyRecord, Submission, VideoAssignment, VideoEvent
from lti_tool.selectors.videos import videos_search, videos_sized
from lti_tool.services.admin_videos import submission_playback_for_admin
from lti_tool.services.deletion import Deleter, submission_delete
from lti_tool.services.privacy import person_erase, person_export
from storage_backends.registry import registered_backends


class BackendFilter(admin.SimpleListFilter):
    """The registered backends, without a DISTINCT over every submission."""

    title = _("backend")
    parameter_name = "backend"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(cls.name, cls.label or cls.name) for cls in registered_backends().values()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(backend=self.value()) if self.value() else queryset


class SizeFilter(admin.SimpleListFilter):
    title = _("size")
    parameter_name = "size"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("small", _("under 50 MB")),
            ("medium", _("50 to 500 MB")),
            ("large", _("over 500 MB")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return videos_sized(queryset, self.value() or "")


@admin.register(LtiUser)
class LtiUserAdmin(ModelAdmin):
    list_display = ["name", "email", "tenant", "issuer", "last_launch_at"]
    list_filter = ["tenant"]
    search_fields = ["name", "email", "sub"]
    actions = ["gdpr_export", "gdpr_erase"]

    @admin.action(description=_("GDPR: export the selected people's data (zip)"))
    def gdpr_export(self, request: HttpRequest, queryset: QuerySet[LtiUser]) -> HttpResponse:
        data = person_export(
            people=list(queryset),
            requested_by=request.user.get_username(),
            base_url=request.build_absolute_uri("/"),
        )
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="personal-data.zip"'
        return response

    @admin.action(description=_("GDPR: erase the selected people (videos, names, emails)"))
    def gdpr_erase(self, request: HttpRequest, queryset: QuerySet[LtiUser]) -> None:
        deleted = person_erase(people=list(queryset), requested_by=request.user.get_username())
        self.message_user(
            request,
            ngettext("Erased; %(n)d video deleted.", "Erased; %(n)d videos deleted.", deleted)
            % {"n": deleted},
        )


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

    list_display = [
        "student",
        "assignment",
        "course",
        "state",
        "is_current",
        "backend",
        "size_bytes",
        "created_at",
        "play",
    ]
    list_filter = [
        "state",
        BackendFilter,
        "is_current",
        SizeFilter,
        "created_at",
        "assignment__course__tenant",
    ]
    search_fields = ["filename"]  # the search box; what it searches: get_search_results
    search_help_text = _("A student's name or email, a course or assignment title, a file name.")
    list_select_related = ["student", "assignment__course"]
    raw_id_fields = ["student", "assignment"]
    show_full_result_count = False  # no COUNT(*) over every row on each page

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Submission], search_term: str
    ) -> tuple[QuerySet[Submission], bool]:
        return videos_search(queryset, search_term), False

    @admin.display(description=_("course"), ordering="assignment__course__title")
    def course(self, obj: Submission) -> str:
        return str(obj.assignment.course)

    @admin.display(description=_("play"))
    def play(self, obj: Submission) -> str:
        if obj.state != Submission.State.READY:
            return "–"
        url = reverse("admin:lti_tool_submission_play", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Play"))

    def get_urls(self) -> list[URLPattern]:
        play = path(
            "<int:submission_id>/play/",
            self.admin_site.admin_view(self.play_view),
            name="lti_tool_submission_play",
        )
        return [play, *super().get_urls()]

    def play_view(self, request: HttpRequest, submission_id: int) -> HttpResponse:
        try:
            playback = submission_playback_for_admin(
                submission_id=submission_id, admin_name=request.user.get_username()
            )
        except AppError as exc:
            return render_app_error(request, exc)
        return HttpResponseRedirect(playback.url)

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


# The admin's home page links to the video dashboard (lti_tool/views/admin_dashboard.py).
admin.site.index_template = "lti_tool/admin/site_index.html"
