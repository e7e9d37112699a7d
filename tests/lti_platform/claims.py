"""What a Moodle or a Canvas puts in an LTI 1.3 message: claim names, roles, people, paths.

Both shapes follow what those LMSs send today, quirks included (Moodle's short context type
"CourseSection" and no `azp`; Canvas's fixed issuer, `azp`, institution and system roles,
a TA sent as a sub-role without its principal role), so the tool is tested against them.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DL_SETTINGS = DL + "deep_linking_settings"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = [SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE]
ALL_SCOPES = [*AGS_SCOPES, SCOPE_NRPS]

_MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
INSTRUCTOR = _MEMBERSHIP + "#Instructor"
LEARNER = _MEMBERSHIP + "#Learner"
TEACHING_ASSISTANT = _MEMBERSHIP + "/Instructor#TeachingAssistant"
INSTITUTION_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"
INSTITUTION_STUDENT = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
SYSTEM_USER = "http://purl.imsglobal.org/vocab/lis/v2/system/person#User"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
SUBMISSION_REVIEW_REQUEST = "LtiSubmissionReviewRequest"
MESSAGE_TYPES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST, SUBMISSION_REVIEW_REQUEST)


@dataclass
class Person:
    """Someone in the course. `roles` are their roles in the course (what NRPS lists)."""

    key: str
    sub: str
    name: str
    email: str
    roles: list[str]
    institution_roles: list[str] = field(default_factory=list)

    @property
    def given_name(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def family_name(self) -> str:
        return self.name.split(" ", 1)[-1]

    def identity_claims(self) -> dict[str, str]:
        return {
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "email": self.email,
        }


_DEFAULT_PEOPLE = [  # key, name, course role
    ("teacher", "Terry Teacher", "teacher"),
    ("ta", "Tara Assistant", "ta"),
    ("s1", "Ada Student", "student"),
    ("s2", "Ben Student", "student"),
    ("s3", "Cleo Student", "student"),
]


@dataclass(frozen=True)
class Flavor:
    """One LMS's shape: where its endpoints live and what it adds to messages."""

    name: str
    product_family_code: str
    version: str
    auth_path: str
    token_path: str
    jwks_path: str
    lineitems_path: str  # "{course}" is replaced by the course id
    lineitem_path: str  # "{course}" and "{n}" are replaced
    lineitems_query: str  # Moodle keeps `?type_id=1` on every AGS URL
    memberships_path: str
    deep_link_return_path: str
    openid_configuration_path: str
    registration_path: str
    context_type: str

    def fixed_issuer(self) -> str | None:
        return "https://canvas.instructure.com" if self.name == "canvas" else None

    def new_client_id(self) -> str:
        if self.name == "canvas":
            return "10000000000042"
        return uuid.uuid4().hex[:15]

    def new_deployment_ids(self) -> list[str]:
        if self.name == "canvas":
            return ["42:" + hashlib.sha1(uuid.uuid4().bytes).hexdigest()]  # noqa: S324 - an id
        return ["1", "2"]

    def people(self) -> dict[str, Person]:
        people = {}
        for number, (key, name, role) in enumerate(_DEFAULT_PEOPLE, start=3):
            sub = str(number) if self.name == "moodle" else str(uuid.uuid5(uuid.NAMESPACE_URL, key))
            people[key] = Person(
                key=key,
                sub=sub,
                name=name,
                email=f"{key}@example.edu",
                roles=self.course_roles(role),
                institution_roles=self.institution_roles(role),
            )
        return people

    def course_roles(self, role: str) -> list[str]:
        if role == "teacher":
            return [INSTRUCTOR]
        if role == "ta":
            # Canvas sends only the sub-role; Moodle adds the principal role (best practice).
            if self.name == "canvas":
                return [TEACHING_ASSISTANT]
            return [INSTRUCTOR, TEACHING_ASSISTANT]
        return [LEARNER]

    def institution_roles(self, role: str) -> list[str]:
        if self.name != "canvas":
            return []
        institution = INSTITUTION_INSTRUCTOR if role == "teacher" else INSTITUTION_STUDENT
        return [institution, SYSTEM_USER]

    def tool_platform_claim(self, guid: str) -> dict[str, str]:
        name = "Canvas LMS" if self.name == "canvas" else "Moodle"
        return {
            "guid": guid,
            "name": name,
            "version": self.version,
            "product_family_code": self.product_family_code,
        }

    def extra_claims(
        self, *, person: Person, course: dict[str, str], message_type: str, deployment_id: str
    ) -> dict[str, Any]:
        """Claims only this LMS sends."""
        if self.name == "moodle":
            return {
                LTI + "ext": {"user_username": person.key, "lms": "moodle-2"},
                LTI + "lis": {"person_sourcedid": "", "course_section_sourcedid": ""},
            }
        claims: dict[str, Any] = {
            "locale": "en",
            "picture": "https://canvas.instructure.com/images/messages/avatar-50.png",
            LTI + "lis": {
                "person_sourcedid": f"sis-{person.key}",
                "course_offering_sourcedid": f"sis-{course['id']}",
            },
            LTI + "lti11_legacy_user_id": hashlib.sha1(person.sub.encode()).hexdigest(),  # noqa: S324
            LTI + "lti1p1": {"user_id": hashlib.sha1(person.sub.encode()).hexdigest()},  # noqa: S324
            "https://www.instructure.com/placement": (
                "assignment_selection" if message_type == DEEP_LINKING_REQUEST else None
            ),
        }
        return {k: v for k, v in claims.items() if v is not None}


MOODLE = Flavor(
    name="moodle",
    product_family_code="moodle",
    version="2022112800",
    auth_path="/mod/lti/auth.php",
    token_path="/mod/lti/token.php",
    jwks_path="/mod/lti/certs.php",
    lineitems_path="/mod/lti/services.php/2/lineitems",
    lineitem_path="/mod/lti/services.php/2/lineitems/{n}/lineitem",
    lineitems_query="type_id=1",
    memberships_path="/mod/lti/services.php/CourseSection/2/bindings/1/memberships",
    deep_link_return_path="/mod/lti/contentitem_return.php",
    openid_configuration_path="/mod/lti/openid-configuration.php",
    registration_path="/mod/lti/openid-registration.php",
    context_type="CourseSection",
)
CANVAS = Flavor(
    name="canvas",
    product_family_code="canvas",
    version="cloud",
    auth_path="/api/lti/authorize_redirect",
    token_path="/login/oauth2/token",
    jwks_path="/api/lti/security/jwks",
    lineitems_path="/api/lti/courses/{course}/line_items",
    lineitem_path="/api/lti/courses/{course}/line_items/{n}",
    lineitems_query="",
    memberships_path="/api/lti/courses/{course}/names_and_roles",
    deep_link_return_path="/courses/{course}/deep_linking_response",
    openid_configuration_path="/api/lti/security/openid-configuration",
    registration_path="/api/lti/registrations",
    context_type="http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering",
)
FLAVORS = {"moodle": MOODLE, "canvas": CANVAS}
