"""Domain errors: each carries an i18n key so pages can say it in the user's language."""

from __future__ import annotations

from core import i18n


class DomainError(Exception):
    """A rule of the help desk refused the request; nothing was saved."""

    key = "errors.generic"

    def __init__(self, key: str | None = None, **params: object) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, locale: str = "en") -> str:
        return i18n.t(self.key, locale, **self.params)


class NotFound(DomainError):
    key = "errors.not_found"


class Busy(DomainError):
    """The database was locked by another writer for too long, or the connection was lost mid-way;
    the whole change was rolled back and can simply be sent again."""

    key = "errors.busy"


class ForbiddenTransition(DomainError):
    key = "errors.transition"


class ValidationError(DomainError):
    """One or more fields are wrong; `errors` maps each field to its problems (key, params)."""

    key = "errors.invalid"

    def __init__(self, errors: dict[str, list[tuple[str, dict[str, object]]]]) -> None:
        self.errors = errors
        super().__init__(fields=", ".join(errors))

    def messages(self, locale: str = "en") -> dict[str, str]:
        """Each field's problems as text, one line per problem."""
        return {
            field: "\n".join(i18n.t(key, locale, **params) for key, params in problems)
            for field, problems in self.errors.items()
        }

    def message(self, locale: str = "en") -> str:
        return "; ".join(f"{field}: {text}" for field, text in self.messages(locale).items())


class ConflictError(DomainError):
    """Someone else changed the ticket since it was loaded; `changes` says what."""

    key = "errors.conflict"

    def __init__(self, ticket_id: int, changes: list[str]) -> None:
        self.ticket_id = ticket_id
        self.changes = changes
        super().__init__(ticket=ticket_id, changes="; ".join(changes) or "?")


class Collector:
    """Gathers field errors so a form can show every problem at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[tuple[str, dict[str, object]]]] = {}

    def add(self, field: str, key: str, **params: object) -> None:
        self.errors.setdefault(field, []).append((key, params))

    def has(self, field: str) -> bool:
        return field in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
