"""Facts the assignment model derives from what the LMS sent."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import VideoAssignmentFactory

pytestmark = pytest.mark.django_db


def test_an_assignment_has_a_gradebook_when_the_lms_offered_a_line_item() -> None:
    assert not VideoAssignmentFactory().has_gradebook
    assert VideoAssignmentFactory(lineitem_url="https://lms.example.edu/li/1").has_gradebook
    assert VideoAssignmentFactory(lineitems_url="https://lms.example.edu/li").has_gradebook


def test_the_lms_resource_id_is_the_deep_link_key_else_the_row_id() -> None:
    key = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert VideoAssignmentFactory(deep_link_key=key).lms_resource_id == str(key)
    by_hand = VideoAssignmentFactory(deep_link_key=None)  # a link the LMS placed itself
    assert by_hand.lms_resource_id == f"va-{by_hand.pk}"
