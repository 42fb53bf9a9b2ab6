"""Errors a user can be told about: each carries its Vietnamese message."""


class UserError(Exception):
    """Something the user can fix or must be told; `message` is ready to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(UserError):
    pass


class Forbidden(UserError):
    pass


class NotFound(UserError):
    pass
