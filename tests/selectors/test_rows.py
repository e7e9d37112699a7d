"""`model_from_row` makes the model `.only()` would load, without `Model.__init__`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models.signals import post_init

from lti_tool.models import Submission
from lti_tool.selectors import rows
from lti_tool.selectors.rows import model_from_row
from tests.factories import SubmissionFactory

pytestmark = pytest.mark.django_db

GIVEN = ("id", "state", "upload_details", "student_id")


@pytest.fixture
def plans_anew() -> Iterator[None]:
    """A plan is kept per model: one made while a receiver is connected must not outlive it."""
    rows._plan.cache_clear()
    yield
    rows._plan.cache_clear()


def as_stored(submission: Submission) -> dict[str, Any]:
    """The given columns as the database sends them (a JSONField's JSON as text)."""
    values = Submission.objects.filter(pk=submission.pk).values_list(*GIVEN).get()
    return dict(zip(GIVEN, values, strict=True)) | {"upload_details": '{"protocol": "tus"}'}


def test_the_model_is_the_one_only_loads() -> None:
    submission = SubmissionFactory(upload_details={"protocol": "tus"})
    orm = Submission.objects.only(*GIVEN).get(pk=submission.pk)

    made = model_from_row(Submission, as_stored(submission))

    assert {name: getattr(made, name) for name in GIVEN} == {
        name: getattr(orm, name) for name in GIVEN
    }
    assert made.upload_details == {"protocol": "tus"}
    assert made.get_deferred_fields() == orm.get_deferred_fields()
    assert (made._state.adding, made._state.db) == (False, "default")
    assert made.filename == submission.filename  # a deferred field loads when read
    made.state = Submission.State.FAILED
    made.save(update_fields=["state"])  # an UPDATE of the existing row, not an INSERT
    assert Submission.objects.get(pk=submission.pk).state == Submission.State.FAILED
    assert Submission.objects.count() == 1


def test_a_model_someone_listens_to_is_made_by_its_init(plans_anew: None) -> None:
    submission = SubmissionFactory(upload_details={"protocol": "tus"})
    seen: list[int] = []

    def receiver(sender: type[Submission], instance: Submission, **kwargs: Any) -> None:
        seen.append(instance.pk)

    post_init.connect(receiver, sender=Submission)
    try:
        made = model_from_row(Submission, as_stored(submission))
    finally:
        post_init.disconnect(receiver, sender=Submission)

    assert seen == [submission.pk]
    assert made.get_deferred_fields() == Submission.objects.only(*GIVEN).get().get_deferred_fields()
