"""Makes ``jwt.<name>`` the very module ``jwtkit.<name>`` (one module object, not a
copy), by replacing the shim module in ``sys.modules`` while it is imported."""

import importlib
import sys


def alias(shim_name: str) -> None:
    target = importlib.import_module("jwtkit." + shim_name.rsplit(".", 1)[1])
    sys.modules[shim_name] = target
