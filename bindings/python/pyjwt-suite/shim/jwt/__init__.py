"""``import jwt`` for PyJWT's own test suite: jwtkit under PyJWT's name.

This package is test infrastructure only (``bindings/python/pyjwt-suite``), never
installed. ``jwt`` re-exports jwtkit's public API; its public submodules
(``jwt.api_jwt``, ``jwt.exceptions``, ...) ARE jwtkit's modules (see ``_alias``), so
whatever a test patches or compares is jwtkit's. The only code of its own is in the
placeholders for PyJWT internals that jwtkit does not have (``algorithms``,
``jwk_set_cache``): they exist so that PyJWT's test modules import; every test that
uses them is listed in ``excluded.txt`` as ``internal``.
"""

import jwtkit as _jwtkit
from jwtkit import *  # noqa: F401,F403
from jwtkit import __all__ as _all

__all__ = list(_all)
__version__ = _jwtkit.__version__


def __getattr__(name: str):  # anything public that jwtkit has beyond __all__
    if name.startswith("_"):
        raise AttributeError(name)
    return getattr(_jwtkit, name)
