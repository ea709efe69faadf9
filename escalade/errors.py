"""The one small exception tree of escalade.

Every error a user can cause (a bad file, a bad override, a bad option) is a ``UserError``;
the CLI prints its message and exits with status 2 instead of showing a traceback.
"""


class UserError(ValueError):
    """Something the user supplied is wrong; the message says where, what was expected and got."""


class ScenarioError(UserError):
    """A scenario file or override is invalid."""
