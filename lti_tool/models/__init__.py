"""The app's models, one module per area; import them from here."""

from lti_tool.models.courses import Course, LtiUser, VideoAssignment
from lti_tool.models.grading import Grade, ScoreSend, TimedComment
from lti_tool.models.stats import EventDayCount, EventRollup
from lti_tool.models.submissions import PrivacyRecord, Submission, VideoEvent
from lti_tool.models.tenants import (
    Deployment,
    PlatformRegistration,
    StorageConfig,
    Tenant,
    ToolKey,
)

__all__ = [
    "Course",
    "Deployment",
    "EventDayCount",
    "EventRollup",
    "Grade",
    "LtiUser",
    "PlatformRegistration",
    "PrivacyRecord",
    "ScoreSend",
    "StorageConfig",
    "Submission",
    "Tenant",
    "TimedComment",
    "ToolKey",
    "VideoAssignment",
    "VideoEvent",
]
