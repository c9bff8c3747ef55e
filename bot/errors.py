"""The one way Touchstone refuses a request.

A refusal is not a bug: it is a sentence the person should read ("that time zone
isn't one I know", "only moderators can do that"). Every domain refusal derives from
:class:`Refusal`, so each adapter handles them in one place (the Discord tree error
handler, and the console's command guard) and shows ``text`` privately, without a
traceback in the log. Anything else that escapes is a bug: logged, with a generic
message for the person.
"""

from __future__ import annotations


class Refusal(Exception):
    """A request turned down with a message that is safe and useful to show the person."""

    @property
    def text(self) -> str:
        """What the person reads."""
        return str(self)
