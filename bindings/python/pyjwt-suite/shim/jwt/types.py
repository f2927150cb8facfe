"""``jwt.types`` is ``jwtkit.types``."""

from jwt._alias import alias

alias(__name__)
