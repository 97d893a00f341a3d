"""A mistyped address is explained in the reader's language, never in email-validator's English."""

import pytest

from core import i18n
from core.accounts.service import check_email
from core.errors import Collector, ValidationError


@pytest.mark.parametrize(("typed", "key"), [
    ("lucia.example.es", "errors.email_no_at"), ("lucia@@example.es", "errors.email_one_at"),
    ("a@b@example.es", "errors.email_one_at"), ("@example.es", "errors.email_no_name"),
    ("lucia@", "errors.email_domain"), ("lucia@localhost", "errors.email_domain"),
    ("lucia@example.", "errors.email_domain"), ("lucía pérez@example.es", "errors.email")])
@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_each_mistake_has_its_own_words(typed, key, locale):
    errors = Collector()
    assert check_email(errors, typed) == ""
    message = _refusal(errors).messages(locale)["email"]
    assert message == i18n.t(key, locale)
    assert "(" not in message and "sign" not in message and "domain name" not in message.lower()


def test_a_good_address_passes_and_an_empty_one_is_required():
    errors = Collector()
    assert check_email(errors, " Lucia@Example.ES ") == "lucia@example.es"
    assert check_email(errors, "  ") == ""
    assert _refusal(errors).messages("es")["email"] == i18n.t("errors.required", "es")


def _refusal(errors: Collector) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        errors.raise_if_any()
    return raised.value
