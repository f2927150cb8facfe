"""``jwt.warnings`` is ``jwtkit.warnings``."""

from jwt._alias import alias

alias(__name__)
