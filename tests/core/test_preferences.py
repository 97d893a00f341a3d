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


def test_staff_read_times_in_the_desks_zone_or_their_own_and_customers_in_their_browsers(factory):
    with unit_of_work(factory) as session:
        agent = accounts.create_user(session, email="pat@example.com", name="Pat", role="agent", password=None)
        customer = accounts.create_user(session, email="cy@example.com", name="Cy", role="customer", password=None)
        assert preferences.zone(agent, "Europe/Madrid") == "Europe/Madrid"
        preferences.choose_zone(session, agent.id, "America/Bogota")
        assert preferences.zone(customer, "Europe/Madrid") is None and preferences.zone(None, "UTC") is None
    with unit_of_work(factory) as session:
        agent = accounts.find_by_email(session, "pat@example.com")
        assert preferences.zone(agent, "Europe/Madrid") == "America/Bogota"
        preferences.choose_zone(session, agent.id, "")  # back to the desk's
        assert preferences.zone(agent, "Europe/Madrid") == "Europe/Madrid" and agent.preferences == {}


def test_a_zone_that_is_not_one_is_refused_and_nothing_is_saved(factory):
    with unit_of_work(factory) as session:
        user = accounts.create_user(session, email="pat@example.com", name="Pat", role="agent", password=None)
        with pytest.raises(ValueError):
            preferences.choose_zone(session, user.id, "Mars/Olympus")
        assert user.preferences is None
