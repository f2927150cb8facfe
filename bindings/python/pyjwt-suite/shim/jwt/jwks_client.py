"""``jwt.jwks_client`` is ``jwtkit.jwks_client``. PyJWT's test module also imports the
internal ``_NoRedirectHandler`` (a urllib handler; jwtkit fetches in the library): a
placeholder is set on the module, in this test process only, so that the test module
imports; the tests that use it are listed in ``excluded.txt`` as ``internal``."""

import sys

from jwt._alias import alias

alias(__name__)


class _NoRedirectHandler:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("PyJWT-internal urllib handler; jwtkit fetches keys in the library")


_module = sys.modules[__name__]
if not hasattr(_module, "_NoRedirectHandler"):
    _module._NoRedirectHandler = _NoRedirectHandler
