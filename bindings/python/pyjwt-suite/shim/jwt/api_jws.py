"""``jwt.api_jws`` is ``jwtkit.api_jws``."""

from jwt._alias import alias

alias(__name__)
