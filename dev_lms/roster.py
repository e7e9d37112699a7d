"""The sample course, its built-in assignment, the people who launch and the class list."""

from __future__ import annotations

from dataclasses import dataclass, field

LIS_MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
COURSE_OFFERING = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"


@dataclass(frozen=True)
class Course:
    id: str
    label: str
    title: str


@dataclass(frozen=True)
class ResourceLink:
    id: str
    title: str
    text: str = ""
    url: str = ""  # the tool's target_link_uri for this link; empty means its launch URL
    custom: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Person:
    key: str  # the login_hint
    given_name: str
    family_name: str
    role: str  # an LIS membership role name: "Learner" or "Instructor"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def sub(self) -> str:
        # Stable across runs and key rotations, so the tool sees the same user every launch.
        return f"dev-user-{self.key}"

    @property
    def email(self) -> str:
        # .example is reserved (RFC 2606): nothing is ever delivered there.
        return f"{self.given_name}.{self.family_name}@dev-lms.example".lower()

    @property
    def role_uri(self) -> str:
        return LIS_MEMBERSHIP + self.role

    @property
    def is_instructor(self) -> bool:
        return self.role == "Instructor"

    @property
    def role_label(self) -> str:
        return "Teacher" if self.is_instructor else "Student"


COURSE = Course(id="dev-course-1", label="VID101", title="Video Production 101")
ASSIGNMENT = ResourceLink(id="dev-assignment-1", title="Introduce yourself on video")
RESOURCE_LINKS: tuple[ResourceLink, ...] = (ASSIGNMENT,)

PEOPLE: tuple[Person, ...] = (
    Person(key="ada", given_name="Ada", family_name="Lovelace", role="Learner"),
    Person(key="brook", given_name="Brook", family_name="Kim", role="Learner"),
    Person(key="chen", given_name="Chen", family_name="Wei", role="Learner"),
    Person(key="dana", given_name="Dana", family_name="Scully", role="Instructor"),
)


# Enrolled but never launching: the roster (NRPS) lists them, so a tool can see who is missing.
NEVER_LAUNCHING: tuple[Person, ...] = (
    Person(key="eve", given_name="Eve", family_name="Moreau", role="Learner"),
    Person(key="finn", given_name="Finn", family_name="Okafor", role="Learner"),
)
MEMBERS: tuple[Person, ...] = PEOPLE + NEVER_LAUNCHING
LEARNERS: tuple[Person, ...] = tuple(p for p in MEMBERS if not p.is_instructor)


def person_by_key(key: str) -> Person | None:
    """One of the people who can launch (the login_hint)."""
    return next((p for p in PEOPLE if p.key == key), None)


def member_by_key(key: str) -> Person | None:
    return next((p for p in MEMBERS if p.key == key), None)


def member_by_sub(sub: str) -> Person | None:
    return next((p for p in MEMBERS if p.sub == sub), None)


def resource_link_by_id(link_id: str) -> ResourceLink | None:
    return next((link for link in RESOURCE_LINKS if link.id == link_id), None)
