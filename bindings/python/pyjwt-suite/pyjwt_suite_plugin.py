"""pytest plugin for PyJWT's test suite run against jwtkit (see ``run.py``).

- Checks that ``import jwt`` is the shim over jwtkit, never PyJWT itself.
- Applies ``excluded.txt``: ``internal`` tests are deselected; ``deviation`` and
  ``pending-core`` tests run as strict expected failures (one that passes fails the run:
  the list must shrink). An entry that names no collected test fails the run.
- Prints the numbers: passed, failed, skipped, and excluded tests by category.

``excluded.txt``: one entry a line, ``<test id> | <category> | <reason>``; ``#`` starts a
comment line. A test id without ``[...]`` also names every parametrization of that test.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import pytest

EXCLUDED = Path(__file__).resolve().parent / "excluded.txt"

CATEGORIES = ("internal", "deviation", "pending-core")
#: The categories the README's "Differences from PyJWT" mirrors line for line.
README_CATEGORIES = ("deviation", "pending-core")


@dataclass(frozen=True)
class Exclusion:
    test_id: str
    category: str
    reason: str
    line: int


def load_exclusions(path: Path = EXCLUDED) -> List[Exclusion]:
    """The entries of ``excluded.txt``, checked: three fields, a known category, a
    reason, no test listed twice."""
    entries: List[Exclusion] = []
    seen: Dict[str, int] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in line.split(" | ")]
        if len(fields) != 3 or not all(fields):
            raise ValueError(f"{path.name}:{number}: expected `<test id> | <category> | <reason>`: {raw!r}")
        test_id, category, reason = fields
        if category not in CATEGORIES:
            raise ValueError(f"{path.name}:{number}: unknown category {category!r} (one of {', '.join(CATEGORIES)})")
        if test_id in seen:
            raise ValueError(f"{path.name}:{number}: {test_id} is already listed on line {seen[test_id]}")
        seen[test_id] = number
        entries.append(Exclusion(test_id, category, reason, number))
    return entries


def readme_line(entry: Exclusion) -> str:
    """How the README lists an entry."""
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
        item.add_marker(pytest.mark.xfail(reason=f"{entry.category}: {entry.reason}", strict=True))
        kept.append(item)
    stale = [e for e in _state.entries if e.test_id not in used]
    if stale:
        names = "\n".join(f"  excluded.txt:{e.line}: {e.test_id}" for e in stale)
        raise pytest.UsageError(f"excluded.txt names tests that were not collected:\n{names}")
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    items[:] = kept


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
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
    terminalreporter.write_line(
        f"{total} tests: {o['passed']} passed, {o['failed']} failed, {o['skipped']} skipped; excluded: "
        + ", ".join(f"{e[c]} {c}" for c in CATEGORIES)
        + f" ({o['xfailed']} of the {e['deviation'] + e['pending-core']} deviation/pending-core tests fail as expected"
        + (f", {o['xpassed']} PASS and must leave excluded.txt" if o["xpassed"] else "")
        + ")"
    )
