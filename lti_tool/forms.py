"""The assignment form: the deep linking page and the teacher's "Edit assignment" page."""

from __future__ import annotations

import re
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
from lti_tool.selectors.rubrics import Rubric, course_rubric_titles, course_rubrics, rubric_max
from lti_tool.services.assignments import AssignmentSettings

MB = 1024 * 1024
_LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class AssignmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown to students above the upload area."),
    )
    max_points = forms.DecimalField(
        label=_("Maximum points"),
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        initial=Decimal(100),
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        input_formats=[_LOCAL_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_LOCAL_INPUT),
    )
    # Filled in by the page's script with the browser's time zone; empty means UTC.
    timezone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    max_size_mb = forms.IntegerField(
        label=_("Maximum file size (MB)"),
        required=False,
        min_value=1,
        help_text=_("Empty: the site's limit."),
    )
    max_duration_minutes = forms.IntegerField(
        label=_("Maximum length (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        help_text=_("Empty: no limit."),
    )
    allow_resubmission = forms.BooleanField(
        label=_("Students may replace their video"), required=False, initial=True
    )
    hold_grades = forms.BooleanField(
        label=_("Hold grades until I release them"),
        required=False,
        help_text=_(
            "Students and the LMS gradebook see grades only when you press “Release grades” "
            "on the grading page. Unticked: each grade is sent as soon as you save it."
        ),
    )
    rubric_text = forms.CharField(
        label=_("Rubric (optional)"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One criterion per line, each followed by its levels as “points | description” "
            "lines, e.g. “Delivery”, then “4 | Clear and confident”, “2 | Hesitant”. Grading "
            "with it fills the score; the student sees the filled rubric. Empty: no rubric."
        ),
    )
    copy_rubric_from = forms.TypedChoiceField(
        label=_("Or copy the rubric of another assignment of this course"),
        required=False,
        coerce=int,
        empty_value=None,
    )
    max_points_change = forms.ChoiceField(
        label=_("When the maximum points change"),
        choices=[
            ("rescale", _("Rescale existing grades (18/20 becomes 22.5/25)")),
            ("keep", _("Keep the points given (18/20 becomes 18/25)")),
        ],
        initial="rescale",
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Grades already given are resent to the LMS gradebook either way, so it shows "
            "what this tool shows. Kept points above a lower maximum become the maximum."
        ),
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

    def __init__(
        self,
        *args: Any,
        course_id: int | None = None,
        assignment_id: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._rubrics = (
            course_rubrics(course_id=course_id, exclude_id=assignment_id) if course_id else {}
        )
        titles = (
            course_rubric_titles(course_id=course_id, exclude_id=assignment_id) if course_id else []
        )
        copy = self.fields["copy_rubric_from"]
        copy.choices = [("", _("(none)")), *titles]  # type: ignore[attr-defined]
        if not titles:
            copy.widget = forms.HiddenInput()
        site_max = max(1, settings.VIDEO_MAX_UPLOAD_BYTES // MB)
        field = self.fields["max_size_mb"]
        field.validators.append(MaxValueValidator(site_max))
        field.help_text = f"Empty: the site's limit ({site_max} MB)."
        field.widget.attrs["max"] = site_max

    @classmethod
    def for_assignment(cls, assignment: VideoAssignment) -> AssignmentForm:
        return cls(
            course_id=assignment.course_id,
            assignment_id=assignment.pk,
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
                "hold_grades": assignment.hold_grades,
                "max_points_change": "rescale",
                "rubric_text": rubric_as_text(assignment.rubric),
                "allowed_sources": assignment.allowed_sources or list(VIDEO_SOURCES),
            },
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rubric = parse_rubric(data.get("rubric_text") or "")
        if rubric is None:
            self.add_error("rubric_text", _("Write each level as “points | description”."))
            return data
        copied = data.get("copy_rubric_from")
        if not rubric and copied is not None:
            rubric = self._rubrics.get(copied, [])
        maximum = data.get("max_points")
        if rubric and maximum is not None and rubric_max(rubric) > maximum:
            self.add_error(
                "rubric_text",
                _("The rubric's best levels add up to %(total)s, more than the maximum points.")
                % {"total": f"{rubric_max(rubric).normalize():f}"},
            )
        data["rubric"] = rubric
        return data

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
            hold_grades=data["hold_grades"],
            rubric=data.get("rubric", []),
            allowed_sources=[s for s in VIDEO_SOURCES if s in data["allowed_sources"]]
            or list(VIDEO_SOURCES),
        )

    @property
    def rescale_grades(self) -> bool:
        return bool(self.cleaned_data.get("max_points_change") != "keep")


_LEVEL = re.compile(r"^\s*(\d{1,6}(?:[.,]\d{1,2})?)\s*[|=]\s*(.*?)\s*$")


def parse_rubric(text: str) -> Rubric | None:
    """The rubric written in the form (see `rubric_text`), or None if a level is malformed
    or a criterion has no level."""
    rubric: Rubric = []
    for line in text.splitlines():
        if not line.strip():
            continue
        level = _LEVEL.match(line)
        if level:
            if not rubric:
                return None  # a level before any criterion
            points = float(level.group(1).replace(",", "."))
            rubric[-1]["levels"].append({"points": points, "description": level.group(2)})
        elif "|" in line or "=" in line:
            return None
        else:
            rubric.append({"title": line.strip()[:200], "levels": []})
    if any(not criterion["levels"] for criterion in rubric):
        return None
    for criterion in rubric:
        criterion["levels"].sort(key=lambda lv: -lv["points"])
    return rubric


def rubric_as_text(rubric: Rubric) -> str:
    lines = []
    for criterion in rubric:
        lines.append(criterion["title"])
        lines += [f"{lv['points']:g} | {lv['description']}" for lv in criterion["levels"]]
    return "\n".join(lines)
