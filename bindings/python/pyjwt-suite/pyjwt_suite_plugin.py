"""pytest plugin for PyJWT's test suite run against jwtkit (see ``run.py``).

- Checks that ``import jwt`` is the shim over jwtkit, never PyJWT itself.
- Applies ``excluded.txt``: ``internal`` tests are deselected; ``deviation`` and
  ``pending-core`` tests run as strict expected failures (one that passes fails the run:
  the list must shrink). A ``deviation-with-option`` test runs twice in one: as PyJWT
  wrote it, where it must fail with a jwtkit refusal (an ``InvalidTokenError``, or an
  ``AssertionError`` when the test catches the refusal and checks its message), then
  with its ``jwt``/``jws`` fixtures replaced by instances built with the entry's
  ``options``, where it must pass. An entry that names no collected test fails the run.
- Prints the numbers: passed, failed, skipped, and excluded tests by category.

``excluded.txt``: one entry a line, ``<test id> | <category> | <reason>``, and for
``deviation-with-option`` a fourth field, the options (a Python ``dict`` literal, e.g.
``{"allow_padded_base64": True}``); ``#`` starts a comment line. A test id without
``[...]`` also names every parametrization of that test.
"""

from __future__ import annotations

import ast
import inspect
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

EXCLUDED = Path(__file__).resolve().parent / "excluded.txt"

CATEGORIES = ("internal", "deviation", "deviation-with-option", "pending-core")
#: The categories the README's "Differences from PyJWT" mirrors line for line.
README_CATEGORIES = ("deviation", "deviation-with-option", "pending-core")
#: The categories that run as strict expected failures.
XFAIL_CATEGORIES = ("deviation", "pending-core")
WITH_OPTION = "deviation-with-option"


@dataclass(frozen=True)
class Exclusion:
    test_id: str
    category: str
    reason: str
    line: int
    #: ``deviation-with-option``: the options with which the test passes.
    options: Dict[str, Any] = field(default_factory=dict)


def _options(text: str, where: str) -> Dict[str, Any]:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as e:
        raise ValueError(f"{where}: the options must be a Python dict literal: {text!r} ({e})") from None
    if not isinstance(value, dict) or not value or not all(isinstance(k, str) for k in value):
        raise ValueError(f"{where}: the options must be a non-empty dict with str keys: {text!r}")
    return value


def load_exclusions(path: Path = EXCLUDED) -> List[Exclusion]:
    """The entries of ``excluded.txt``, checked: three fields, a known category, a
    reason, no test listed twice."""
    entries: List[Exclusion] = []
    seen: Dict[str, int] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path.name}:{number}"
        fields = [f.strip() for f in line.split(" | ")]
        if len(fields) not in (3, 4) or not all(fields):
            raise ValueError(
                f"{where}: expected `<test id> | <category> | <reason>` "
                f"(and ` | <options>` for {WITH_OPTION}): {raw!r}"
            )
        test_id, category, reason = fields[:3]
        if category not in CATEGORIES:
            raise ValueError(f"{where}: unknown category {category!r} (one of {', '.join(CATEGORIES)})")
        if (category == WITH_OPTION) != (len(fields) == 4):
            raise ValueError(f"{where}: a fourth field (the options) is given for {WITH_OPTION}, and only for it")
        options = _options(fields[3], where) if len(fields) == 4 else {}
        if test_id in seen:
            raise ValueError(f"{where}: {test_id} is already listed on line {seen[test_id]}")
        seen[test_id] = number
        entries.append(Exclusion(test_id, category, reason, number, options))
    return entries


def options_text(options: Dict[str, Any]) -> str:
    """``options`` as Python code: ``{"allow_padded_base64": True}``."""
    return "{" + ", ".join(f"{k!r}: {v!r}".replace("'", '"') for k, v in options.items()) + "}"


def readme_line(entry: Exclusion) -> str:
    """How the README lists an entry."""
    if entry.category == WITH_OPTION:
        return f"- `{entry.test_id}`: {entry.reason}; passes with `options={options_text(entry.options)}`"
    return f"- `{entry.test_id}`: {entry.reason}"


def readme_begin(category: str) -> str:
    return f"<!-- pyjwt-suite {category}: mirrors pyjwt-suite/excluded.txt (run.py --readme prints it) -->"


def readme_end(category: str) -> str:
    return f"<!-- /pyjwt-suite {category} -->"


def readme_blocks(entries: List[Exclusion]) -> Dict[str, List[str]]:
    """For each category the README mirrors, its lines, in the order of the file."""
    return {c: [readme_line(e) for e in entries if e.category == c] for c in README_CATEGORIES}


def _entry_for(nodeid: str, by_id: Dict[str, Exclusion]) -> Optional[Exclusion]:
    entry = by_id.get(nodeid)
    if entry is None and "[" in nodeid:
        entry = by_id.get(nodeid.split("[", 1)[0])
    return entry


class _State:
    def __init__(self) -> None:
        self.entries = load_exclusions()
        self.by_id = {e.test_id: e for e in self.entries}
        self.excluded: Counter = Counter()
        self.outcomes: Counter = Counter()


_state = _State()


def pytest_configure(config: pytest.Config) -> None:
    import jwt
    import jwtkit

    shim = Path(__file__).resolve().parent / "shim" / "jwt"
    if Path(jwt.__file__).resolve().parent != shim or jwt.decode is not jwtkit.decode:
        raise pytest.UsageError(f"`import jwt` is {jwt.__file__}, not the jwtkit shim in {shim}")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: List[pytest.Item]) -> None:
    used = set()
    kept: List[pytest.Item] = []
    deselected: List[pytest.Item] = []
    for item in items:
        entry = _entry_for(item.nodeid, _state.by_id)
        if entry is None:
            kept.append(item)
            continue
        used.add(entry.test_id)
        _state.excluded[entry.category] += 1
        if entry.category == "internal":
            deselected.append(item)
            continue
        if entry.category == WITH_OPTION:
            kept.append(item)  # run by pytest_pyfunc_call below
            continue
        item.add_marker(pytest.mark.xfail(reason=f"{entry.category}: {entry.reason}", strict=True))
        kept.append(item)
    stale = [e for e in _state.entries if e.test_id not in used]
    if stale:
        names = "\n".join(f"  excluded.txt:{e.line}: {e.test_id}" for e in stale)
        raise pytest.UsageError(f"excluded.txt names tests that were not collected:\n{names}")
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = kept


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Optional[bool]:
    """A ``deviation-with-option`` test: as written it must fail with a jwtkit refusal;
    with its ``jwt``/``jws`` fixtures built with the entry's options it must pass."""
    entry = _entry_for(pyfuncitem.nodeid, _state.by_id)
    if entry is None or entry.category != WITH_OPTION:
        return None
    import jwt

    names = inspect.signature(pyfuncitem.obj).parameters
    args = {name: pyfuncitem.funcargs[name] for name in names}
    try:
        pyfuncitem.obj(**args)
    except (jwt.InvalidTokenError, AssertionError):
        pass  # the refusal this entry documents (raised, or caught and found wanting)
    else:
        pytest.fail(
            f"{WITH_OPTION}: the test passes without options={options_text(entry.options)}, so jwtkit no longer "
            f"refuses by default: remove its line (excluded.txt:{entry.line}) and the README's",
            pytrace=False,
        )
    opted = dict(args)
    for name, value in args.items():
        if isinstance(value, jwt.PyJWT):
            opted[name] = jwt.PyJWT(options={**value.options, **entry.options})  # type: ignore[arg-type]
        elif isinstance(value, jwt.PyJWS):
            opted[name] = jwt.PyJWS(value.get_algorithms(), options={**value.options, **entry.options})
    if opted == args:
        pytest.fail(f"{WITH_OPTION}: the test takes no `jwt` or `jws` fixture to give the options to", pytrace=False)
    pyfuncitem.obj(**opted)
    return True


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    entry = _entry_for(report.nodeid, _state.by_id)
    if entry is not None and entry.category == WITH_OPTION:
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            _state.outcomes["opted" if report.passed else "opted_failed"] += 1
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        if hasattr(report, "wasxfail"):
            _state.outcomes["xfailed" if report.skipped else "xpassed"] += 1
        elif report.failed and str(report.longrepr).startswith("[XPASS(strict)]"):
            _state.outcomes["xpassed"] += 1
        else:
            _state.outcomes[report.outcome] += 1


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:  # noqa: ANN001
    o = _state.outcomes
    e = _state.excluded
    total = sum(e.values()) + o["passed"] + o["failed"] + o["skipped"]
    terminalreporter.write_sep("-", "PyJWT's suite against jwtkit")
    expected = sum(e[c] for c in XFAIL_CATEGORIES)
    terminalreporter.write_line(
        f"{total} tests: {o['passed']} passed, {o['failed']} failed, {o['skipped']} skipped; excluded: "
        + ", ".join(f"{e[c]} {c}" for c in CATEGORIES)
        + f" ({o['xfailed']} of the {expected} deviation/pending-core tests fail as expected"
        + (f", {o['xpassed']} PASS and must leave excluded.txt" if o["xpassed"] else "")
        + f"; {o['opted']} of the {e[WITH_OPTION]} {WITH_OPTION} tests are refused as written and pass with the option"
        + ")"
    )
