"""What a verified launch opens, by message type and role."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lti_tool.launch_tokens import launch_token_issue
from lti_tool.lti.launch import ToolMessageLaunch
from lti_tool.services.launches import LaunchResult, launch_record
from storage_backends.validation import VIDEO_TYPES, allowed_extensions

logger = logging.getLogger("lti_tool.views.lti")


def dispatch_launch(request: HttpRequest, message_launch: ToolMessageLaunch) -> HttpResponse:
    body = dict(message_launch.get_launch_data())
    result = launch_record(platform=message_launch.platform, body=body)
    logger.info(
        "lti launch ok tenant=%s user=%s assignment=%s role=%s",
        result.course.tenant_id, result.user.pk, result.assignment.pk, result.role,
    )
    template = "lti_tool/teacher.html" if result.role == "teacher" else "lti_tool/student.html"
    return render(request, template, _page_context(result))


def _page_context(result: LaunchResult) -> dict[str, Any]:
    assignment = result.assignment
    launch_data = {
        "token": launch_token_issue(result.claims),
        "apiBase": "/api",
        "role": result.role,
        "user": {"name": result.user.name},
        "assignment": {
            "id": assignment.pk,
            "title": assignment.title,
            "instructions": assignment.instructions,
            "maxSizeBytes": assignment.max_size_bytes or settings.VIDEO_MAX_UPLOAD_BYTES,
            "allowedMimeTypes": sorted(VIDEO_TYPES),
            "allowedExtensions": allowed_extensions(),
        },
    }
    return {"launch_data": launch_data, "assignment": assignment, "user": result.user}
