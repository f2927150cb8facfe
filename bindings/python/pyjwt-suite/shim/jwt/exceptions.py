"""``jwt.exceptions`` is ``jwtkit.exceptions``."""

from jwt._alias import alias

alias(__name__)
