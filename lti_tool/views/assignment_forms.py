"""The assignment form: deep linking (create, then post the signed response back to the
LMS) and "Edit assignment" from the teacher page.

Both run in the LMS's iframe after the launch, where cookies are not available: a signed,
short-lived token in a hidden field proves who posts, so these views are CSRF-exempt.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lti_tool.errors import AppError, PermissionDenied, render_app_error
from lti_tool.forms import AssignmentForm
from lti_tool.languages import LaunchPresentation
from lti_tool.launch_tokens import InvalidLaunchToken, launch_token_read
from lti_tool.lti import deep_linking as dl
from lti_tool.models import PlatformRegistration
from lti_tool.selectors.submissions import assignment_for_launch
from lti_tool.services.assignments import assignment_create_from_deep_link, assignment_update
from lti_tool.services.launches import CheckedLaunch, launch_record_context
from lti_tool.tenants.tool_keys import sign_as_tool
from lti_tool.views.launch_pages import launch_result_from_claims, render_launch_page

logger = logging.getLogger(__name__)
_EXPIRED = _lazy("This form has expired. Please start again from your course.")


def deep_link_start(
    request: HttpRequest,
    *,
    platform: PlatformRegistration,
    body: dict[str, Any],
    checked: CheckedLaunch,
) -> HttpResponse:
    """The verified LtiDeepLinkingRequest of an instructor (`launch_check` refused the others):
    the empty form."""
    try:
        with transaction.atomic():  # no return address: nothing recorded either
            user, course = launch_record_context(platform=platform, body=body, checked=checked)
            context = dl.deep_link_context(
                platform=platform, body=body, course_id=course.pk, user_id=user.pk
            )
    except (KeyError, ValueError) as exc:
        raise AppError(
            "bad_deep_link",
            _("The request from your LMS cannot be answered: it has no return address."),
        ) from exc
    logger.info(
        "deep linking request tenant=%s course=%s user=%s", course.tenant_id, course.pk, user.pk
    )
    return _form_page(
        request,
        AssignmentForm(course_id=course.pk),
        token=dl.deep_link_token_issue(context),
        mode="create",
        course=course.title or course.label,
    )


@csrf_exempt
@xframe_options_exempt
@require_POST
def deep_link_submit(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("dl_token", "")
    try:
        context = dl.deep_link_token_read(token)
    except dl.InvalidDeepLinkToken:
        return render_app_error(request, AppError("form_expired", _EXPIRED))
    form = AssignmentForm(request.POST, course_id=context.course_id)
    if not form.is_valid():
        return _form_page(request, form, token=token, mode="create", status=400)
    assignment = assignment_create_from_deep_link(
        course_id=context.course_id, key=context.assignment_key, settings=form.settings()
    )
    platform = PlatformRegistration.objects.get(pk=context.registration_id)
    item = dl.resource_link_item(
        assignment,
        launch_url=request.build_absolute_uri(reverse("lti:launch")),
        with_line_item=context.accept_lineitem,
    )
    jwt = dl.deep_link_response_jwt(
        platform=platform,
        context=context,
        content_items=[item],
        sign=sign_as_tool,
        msg=_("Added the video assignment “%(title)s”.") % {"title": assignment.title},
    )
    logger.info("deep linking response assignment=%s course=%s", assignment.pk, context.course_id)
    return render(
        request,
        "lti_tool/deep_link_return.html",
        {"return_url": context.return_url, "jwt": jwt, "assignment": assignment},
    )


@csrf_exempt
@xframe_options_exempt
@require_POST
def assignment_edit(request: HttpRequest) -> HttpResponse:
    """From the teacher page: open the form (only the token posted), or save it."""
    token = request.POST.get("launch_token", "")
    try:
        claims = launch_token_read(token)
    except InvalidLaunchToken:
        return render_app_error(
            request,
            AppError(
                "session_expired",
                _("Your session has expired. Please reopen the assignment from your course."),
                status=401,
            ),
        )
    if claims.role != "teacher":
        return render_app_error(
            request, PermissionDenied(_("Only teachers can change the assignment."))
        )
    assignment = assignment_for_launch(claims)
    if "title" not in request.POST:
        return _form_page(
            request,
            AssignmentForm.for_assignment(assignment),
            token=token,
            mode="edit",
            due_at=assignment.due_at,
        )
    form = AssignmentForm(request.POST, course_id=claims.course_id, assignment_id=assignment.pk)
    if not form.is_valid():
        return _form_page(request, form, token=token, mode="edit", status=400)
    assignment_update(claims=claims, settings=form.settings(), rescale_grades=form.rescale_grades)
    request.launch_presentation = LaunchPresentation.from_claims(claims)  # type: ignore[attr-defined]
    return render_launch_page(request, launch_result_from_claims(claims))


def _form_page(
    request: HttpRequest,
    form: AssignmentForm,
    *,
    token: str,
    mode: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    edit = mode == "edit"
    due_at = extra.pop("due_at", None)
    context = {
        "form": form,
        "token": token,
        "mode": mode,
        "token_name": "launch_token" if edit else "dl_token",
        "action": reverse("lti:assignment_edit" if edit else "lti:deep_link"),
        # An unbound edit form shows the saved due date; the page's script shows it in the
        # browser's time zone (the server renders it in UTC).
        "due_utc": due_at.isoformat() if due_at and not form.is_bound else "",
        **extra,
    }
    response = render(request, "lti_tool/deep_link_form.html", context, status=status)
    response.xframe_options_exempt = True
    return response
