"""``jwt.utils`` is ``jwtkit.utils``."""

from jwt._alias import alias

alias(__name__)
