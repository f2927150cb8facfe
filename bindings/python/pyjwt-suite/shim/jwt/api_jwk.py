"""``jwt.api_jwk`` is ``jwtkit.api_jwk``."""

from jwt._alias import alias

alias(__name__)
