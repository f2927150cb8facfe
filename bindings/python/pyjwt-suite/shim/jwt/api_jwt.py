"""``jwt.api_jwt`` is ``jwtkit.api_jwt``."""

from jwt._alias import alias

alias(__name__)
