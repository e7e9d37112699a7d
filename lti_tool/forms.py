"""The assignment form: the deep linking page and the teacher's "Edit assignment" page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lti_tool.models import VideoAssignment
from lti_tool.models.courses import VIDEO_SOURCES
from lti_tool.services.assignments import AssignmentSettings

MB = 1024 * 1024
_LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class AssignmentForm(forms.Form):
    title = forms.CharField(max_length=255)
    instructions = forms.CharField(
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Shown to students above the upload area.",
    )
    max_points = forms.DecimalField(
        label="Maximum points",
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        initial=Decimal(100),
    )
    due_at = forms.DateTimeField(
        label="Due",
        required=False,
        input_formats=[_LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_INPUT),
    )
    # Filled in by the page's script with the browser's time zone; empty means UTC.
    timezone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    max_size_mb = forms.IntegerField(
        label="Maximum file size (MB)",
        required=False,
        min_value=1,
        help_text="Empty: the site's limit.",
    )
    max_duration_minutes = forms.IntegerField(
        label="Maximum length (minutes)",
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text="Empty: no limit.",
    )
    allow_resubmission = forms.BooleanField(
        label="Students may replace their video", required=False, initial=True
    )
    allowed_sources = forms.MultipleChoiceField(
        label=_("Students may"),
        choices=[
            ("upload", _("Upload a video file")),
            ("camera", _("Record with their camera")),
            ("screen", _("Record their screen")),
        ],
        initial=list(VIDEO_SOURCES),
        widget=forms.CheckboxSelectMultiple,
        required=False,  # none ticked: all three (a form posted without the field too)
        help_text=_("None ticked: all three."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_max = max(1, settings.VIDEO_MAX_UPLOAD_BYTES // MB)
        field = self.fields["max_size_mb"]
        field.validators.append(MaxValueValidator(site_max))
        field.help_text = f"Empty: the site's limit ({site_max} MB)."
        field.widget.attrs["max"] = site_max

    @classmethod
    def for_assignment(cls, assignment: VideoAssignment) -> AssignmentForm:
        return cls(
            initial={
                "title": assignment.title,
                "instructions": assignment.instructions,
                "max_points": assignment.max_points,
                "due_at": assignment.due_at,
                "max_size_mb": assignment.max_size_bytes // MB
                if assignment.max_size_bytes
                else None,
                "max_duration_minutes": (
                    -(-assignment.max_duration_seconds // 60)
                    if assignment.max_duration_seconds
                    else None
                ),
                "allow_resubmission": assignment.allow_resubmission,
                "allowed_sources": assignment.allowed_sources or list(VIDEO_SOURCES),
            }
        )

    def full_clean(self) -> None:
        # A datetime-local value has no zone: read it in the instructor's own.
        with timezone.override(self._zone()):
            super().full_clean()

    def _zone(self) -> ZoneInfo:
        name = self.data.get("timezone") if self.is_bound else None
        try:
            return ZoneInfo(name) if name else ZoneInfo("UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def settings(self) -> AssignmentSettings:
        data = self.cleaned_data
        return AssignmentSettings(
            title=data["title"].strip(),
            instructions=data["instructions"],
            max_points=data["max_points"],
            due_at=data["due_at"],
            max_size_bytes=data["max_size_mb"] * MB if data["max_size_mb"] else None,
            max_duration_seconds=(
                data["max_duration_minutes"] * 60 if data["max_duration_minutes"] else None
            ),
            allow_resubmission=data["allow_resubmission"],
            allowed_sources=[s for s in VIDEO_SOURCES if s in data["allowed_sources"]]
            or list(VIDEO_SOURCES),
        )
