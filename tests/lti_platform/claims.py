"""What an LMS puts in an LTI 1.3 message: claim names, roles, people, paths.

Six shapes, each as its public documentation describes it (sources in
/work/shared/reference/lms-platforms.md and tests/lti_platform/STATUS.md), quirks included:
Moodle's short context type "CourseSection" and no `azp`; Canvas's fixed issuer, `azp`,
institution and system roles, a TA sent as a sub-role without its principal role;
Blackboard's issuer shared by every school, UUID client and deployment ids and camelCase
`lineItems` on course pk1 `_4_1`; Brightspace's upper-case GUID deployment ids, `{guid}_{id}`
subs, its own claim and the client assertion audience `https://api.brightspace.com/auth/token`;
Sakai's deployment "1", `_parent` storage and non-standard TA role; Schoology's numeric ids.
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
# Sakai's TA: the spec's form is membership/Instructor#TeachingAssistant (see LTIROLES.md).
SAKAI_TEACHING_ASSISTANT = _MEMBERSHIP + "#Instructor#TeachingAssistant"
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
    platform_name: str = ""
    issuer: str | None = None  # shared by every customer (Canvas, Blackboard); None: lms.url
    token_audience: str | None = None  # the client assertion's `aud`; None: the token URL
    dl_accept_types: tuple[str, ...] = ("ltiResourceLink",)
    dl_accept_multiple: bool = True
    dl_auto_create: bool = False
    score_answer: str = "empty"  # "empty" (200, no body) or "result" ({"resultUrl": ...})
    extra: dict[str, Any] = field(default_factory=dict)  # top-level claims only this LMS sends

    def fixed_issuer(self) -> str | None:
        return self.issuer

    def new_client_id(self) -> str:
        if self.name == "canvas":
            return "10000000000042"
        if self.name in ("blackboard", "brightspace"):
            return str(uuid.uuid4())  # Blackboard's "Application ID", Brightspace's client id
        if self.name == "schoology":
            return str(7_000_000_000 + uuid.uuid4().int % 1_000_000_000)
        return uuid.uuid4().hex[:15]

    def new_deployment_ids(self) -> list[str]:
        if self.name == "canvas":
            return ["42:" + hashlib.sha1(uuid.uuid4().bytes).hexdigest()]  # noqa: S324 - an id
        if self.name == "blackboard":
            return [str(uuid.uuid4())]  # one per Learn instance
        if self.name == "brightspace":
            return [str(uuid.uuid4()).upper()]  # "New Deployment" in External Learning Tools
        if self.name == "sakai":
            return ["1"]  # Sakai's default, "to match Moodle"
        if self.name == "schoology":
            return [f"{uuid.uuid4().int % 10**10}-{uuid.uuid4().int % 10**10}"]
        return ["1", "2"]

    def new_sub(self, key: str, number: int) -> str:
        if self.name == "moodle":
            return str(number)
        if self.name == "blackboard":
            return uuid.uuid5(uuid.NAMESPACE_URL, key).hex  # 32 hex digits
        if self.name == "brightspace":
            return f"{uuid.uuid5(uuid.NAMESPACE_DNS, 'tenant')}_{100 + number}"
        if self.name == "sakai":
            return f"sakai-user-{uuid.uuid5(uuid.NAMESPACE_URL, key)}"
        if self.name == "schoology":
            return str(90_000_000 + number)
        return str(uuid.uuid5(uuid.NAMESPACE_URL, key))

    def people(self) -> dict[str, Person]:
        people = {}
        for number, (key, name, role) in enumerate(_DEFAULT_PEOPLE, start=3):
            sub = self.new_sub(key, number)
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
            # Canvas sends only the sub-role; Moodle adds the principal role (best practice);
            # Sakai sends its own, non-standard form of the sub-role.
            if self.name == "canvas":
                return [TEACHING_ASSISTANT]
            if self.name == "sakai":
                return [INSTRUCTOR, SAKAI_TEACHING_ASSISTANT]
            return [INSTRUCTOR, TEACHING_ASSISTANT]
        return [LEARNER]

    def institution_roles(self, role: str) -> list[str]:
        if self.name not in ("canvas", "blackboard", "brightspace"):
            return []
        institution = INSTITUTION_INSTRUCTOR if role == "teacher" else INSTITUTION_STUDENT
        return [institution, SYSTEM_USER] if self.name == "canvas" else [institution]

    def tool_platform_claim(self, guid: str) -> dict[str, str]:
        name = self.platform_name or ("Canvas LMS" if self.name == "canvas" else "Moodle")
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
        if self.name == "brightspace":
            return {
                LTI + "lti11_legacy_user_id": person.sub.split("_")[-1],
                "http://www.brightspace.com": {
                    "tenant_id": person.sub.split("_")[0],
                    "org_defined_id": f"od-{person.key}",
                    "user_id": int(person.sub.split("_")[-1]),
                    "username": person.key,
                },
            }
        if self.name in ("blackboard", "sakai", "schoology"):
            return dict(self.extra)
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
    platform_name="Moodle",
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
    platform_name="Canvas LMS",
    issuer="https://canvas.instructure.com",
    dl_accept_multiple=False,
    score_answer="result",
)
BLACKBOARD = Flavor(
    name="blackboard",
    product_family_code="BlackboardLearn",
    version="3900.93.0-rel.59+7d3ba1c",
    platform_name="Blackboard, Inc.",
    issuer="https://blackboard.com",
    auth_path="/api/v1/gateway/oidcauth",
    token_path="/api/v1/gateway/oauth2/jwttoken",
    jwks_path="/api/v1/management/applications/jwks.json",
    lineitems_path="/learn/api/v1/lti/courses/_4_1/lineItems",
    lineitem_path="/learn/api/v1/lti/courses/_4_1/lineItems/_{n}_1",
    lineitems_query="",
    memberships_path="/learn/api/v1/lti/courses/_4_1/memberships",
    deep_link_return_path="/webapps/blackboard/controller/lti/v2/deeplinking",
    openid_configuration_path="/api/v1/gateway/.well-known/openid-configuration",
    registration_path="/api/v1/gateway/registration",
    context_type="http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering",
    dl_accept_types=("ltiResourceLink", "link", "file", "html", "image"),
    score_answer="result",
    extra={"locale": "en-US"},
)
BRIGHTSPACE = Flavor(
    name="brightspace",
    product_family_code="desire2learn",
    version="20.25.1",
    platform_name="Brightspace",
    token_audience="https://api.brightspace.com/auth/token",
    auth_path="/d2l/lti/authenticate",
    token_path="/core/connect/token",
    jwks_path="/d2l/.well-known/jwks",
    lineitems_path="/d2l/api/lti/ags/2p0/deployment/1/orgunit/{course}/lineitems",
    lineitem_path="/d2l/api/lti/ags/2p0/deployment/1/orgunit/{course}/lineitems/{n}",
    lineitems_query="",
    memberships_path="/d2l/api/lti/nrps/2p0/deployment/1/orgunit/{course}/memberships",
    deep_link_return_path="/d2l/lti/dl/return/{course}",
    openid_configuration_path="/d2l/.well-known/openid-configuration",
    registration_path="/d2l/lti/dr/registration",
    context_type="http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering",
    dl_accept_types=("ltiResourceLink", "link", "file", "html", "image"),
    dl_auto_create=True,
)
SAKAI = Flavor(
    name="sakai",
    product_family_code="sakai",
    version="23.3",
    platform_name="Sakai",
    auth_path="/imsoidc/lti13/oidc_auth",
    token_path="/imsblis/lti13/token/7",
    jwks_path="/imsblis/lti13/keyset/7",
    lineitems_path="/imsblis/lti13/lineitems/{course}",
    lineitem_path="/imsblis/lti13/lineitems/{course}/{n}",
    lineitems_query="",
    memberships_path="/imsblis/lti13/namesandroles/{course}",
    deep_link_return_path="/imsblis/lti13/deep_link_return",
    openid_configuration_path="/imsblis/lti13/well_known",
    registration_path="/imsblis/lti13/registration_endpoint/7",
    context_type="http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection",
    dl_accept_types=("ltiResourceLink", "file", "html", "link"),
    extra={"locale": "en_US"},
)
SCHOOLOGY = Flavor(
    name="schoology",
    product_family_code="schoology",
    version="2024",
    platform_name="Schoology",
    issuer="https://schoology.schoology.com",
    auth_path="/lti/authorize",
    token_path="/lti/token",
    jwks_path="/lti/v1p3/jwks",
    lineitems_path="/lti/v1p3/ags/{course}/lineitems",
    lineitem_path="/lti/v1p3/ags/{course}/lineitems/{n}",
    lineitems_query="",
    memberships_path="/lti/v1p3/nrps/{course}/memberships",
    deep_link_return_path="/lti/v1p3/deep_linking/return",
    openid_configuration_path="/lti/v1p3/openid-configuration",
    registration_path="/lti/v1p3/registration",
    context_type="http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection",
    dl_accept_multiple=False,
)
FLAVORS = {
    "moodle": MOODLE,
    "canvas": CANVAS,
    "blackboard": BLACKBOARD,
    "brightspace": BRIGHTSPACE,
    "sakai": SAKAI,
    "schoology": SCHOOLOGY,
}
