"""pyjwt-suite/excluded.txt and the README's "Differences from PyJWT" agree line for
line, and the list is well formed. (The suite itself runs from run-tests.sh, through
pyjwt-suite/run.py, which also fails on an entry that names no test or whose test passes.)"""

import re
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SUITE = HERE.parent / "pyjwt-suite"
README = HERE.parent / "README.md"

sys.path.insert(0, str(SUITE))
from pyjwt_suite_plugin import (  # noqa: E402
    CATEGORIES,
    README_CATEGORIES,
    load_exclusions,
    readme_begin,
    readme_blocks,
    readme_end,
)


def readme_block(text: str, category: str):
    begin, end = readme_begin(category), readme_end(category)
    assert text.count(begin) == 1, f"README.md must hold exactly one `{begin}`"
    assert text.count(end) == 1, f"README.md must hold exactly one `{end}`"
    block = text.split(begin, 1)[1].split(end, 1)[0]
    return [line for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("category", README_CATEGORIES)
def test_readme_mirrors_the_list_line_for_line(category):
    expected = readme_blocks(load_exclusions())[category]
    got = readme_block(README.read_text(encoding="utf-8"), category)
    missing = [line for line in expected if line not in got]
    extra = [line for line in got if line not in expected]
    assert not missing and not extra, (
        f"README.md's {category} list and pyjwt-suite/excluded.txt differ "
        f"(`python3 pyjwt-suite/run.py --readme` prints the lines):\n"
        + "".join(f"  only in excluded.txt: {line}\n" for line in missing)
        + "".join(f"  only in README.md:    {line}\n" for line in extra)
    )
    assert got == expected, f"README.md's {category} list is not in the order of excluded.txt"


def test_list_is_well_formed():
    entries = load_exclusions()  # raises on a malformed line, a bad category, a duplicate
    assert {e.category for e in entries} <= set(CATEGORIES)
    for e in entries:
        assert re.fullmatch(r"tests/test_[a-z_]+\.py::\w+(::\w+)?(\[.+\])?", e.test_id), e.test_id
        assert len(e.reason) >= 20, f"excluded.txt:{e.line}: give a reason, not a tag"
    # Only PyJWT's public-API test modules are run (run.py's SUITE).
    modules = {e.test_id.split("::", 1)[0] for e in entries}
    assert modules <= {
        "tests/test_api_jwt.py",
        "tests/test_api_jws.py",
        "tests/test_api_jwk.py",
        "tests/test_jwks_client.py",
        "tests/test_algorithms.py",
    }
    assert all("::TestKeyLengthValidation::" in e.test_id for e in entries if "test_algorithms.py" in e.test_id)


def test_the_list_rejects_malformed_lines(tmp_path):
    bad = tmp_path / "excluded.txt"
    for text, message in [
        ("tests/test_api_jwt.py::TestJWT::test_x | deviation\n", "expected"),
        ("tests/test_api_jwt.py::TestJWT::test_x | nope | a reason long enough\n", "unknown category"),
        ("tests/test_api_jwt.py::T::t | internal | a reason long enough\n" * 2, "already listed"),
        ("tests/test_api_jwt.py::T::t | deviation-with-option | a reason long enough\n", "fourth field"),
        ("tests/test_api_jwt.py::T::t | deviation | a reason long enough | {'a': True}\n", "fourth field"),
        ("tests/test_api_jwt.py::T::t | deviation-with-option | a reason long enough | a=1\n", "dict literal"),
        ("tests/test_api_jwt.py::T::t | deviation-with-option | a reason long enough | {}\n", "non-empty dict"),
        ("tests/test_api_jwt.py::T::t | deviation-with-option | a reason long enough | [1]\n", "non-empty dict"),
    ]:
        bad.write_text(text)
        with pytest.raises(ValueError, match=message):
            load_exclusions(bad)


def test_options_of_a_deviation_with_option(tmp_path):
    listed = tmp_path / "excluded.txt"
    listed.write_text(
        'tests/test_api_jwt.py::T::t[x] | deviation-with-option | a reason long enough | {"allow_padded_base64": True}\n'
    )
    (entry,) = load_exclusions(listed)
    assert entry.options == {"allow_padded_base64": True}
    assert readme_blocks([entry])["deviation-with-option"] == [
        '- `tests/test_api_jwt.py::T::t[x]`: a reason long enough; passes with `options={"allow_padded_base64": True}`'
    ]
    # the options named are jwtkit's (decode, like PyJWT's, ignores names it does not know)
    from jwtkit.types import Options, SigOptions

    for e in load_exclusions():
        assert set(e.options) <= set(Options.__annotations__) & set(SigOptions.__annotations__), e.test_id
