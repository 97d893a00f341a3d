"""A person's choices are kept with them; only offered names and values are."""

import pytest

from core.accounts import preferences
from core.accounts import service as accounts
from core.db import unit_of_work


def test_a_choice_is_kept_and_a_default_stands_in_for_none(factory):
    with unit_of_work(factory) as session:
        user = accounts.create_user(session, email="pat@example.com", name="Pat", role="agent", password=None)
        assert preferences.get(user, "queue_sort") == "due"
        preferences.choose(session, user.id, "queue_sort", "priority")
    with factory() as session:
        assert preferences.get(accounts.find_by_email(session, "pat@example.com"), "queue_sort") == "priority"


@pytest.mark.parametrize(("name", "value"), [("queue_sort", "random"), ("theme", "dark")])
def test_a_choice_not_offered_is_refused_and_nothing_is_saved(factory, name, value):
    with unit_of_work(factory) as session:
        user = accounts.create_user(session, email="pat@example.com", name="Pat", role="agent", password=None)
        with pytest.raises(ValueError):
            preferences.choose(session, user.id, name, value)
        assert user.preferences is None
