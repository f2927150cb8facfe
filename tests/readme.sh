#!/usr/bin/env bash
# Runs the README's "C quick start" exactly as printed, the way a new user would: the C
# program block is saved as app.c, the shell block's commands run one after the other, and
# ./app must print a signed token (three base64url segments) and then its claims.
#
#   bash tests/readme.sh
#
# The blocks are taken verbatim by position (the first ```c and the first ```sh block under
# the "## C quick start" heading), so a change to the README that breaks the quick start
# fails here. They run in a fresh temporary directory whose entries are links to the
# checkout's top-level files: app.c and app never land in the working tree, while
# `cargo build --release` still finds (and reuses) the checkout's target/ directory.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
README=$ROOT/README.md
passed=0 failed=0
fail() { echo "readme: FAIL: $*" >&2; failed=$((failed + 1)); }
finish() { echo "readme: $passed passed, $failed failed"; exit $((failed > 0)); }

# The lines of the first ```$1 block in the "C quick start" section, fences excluded.
block() {
    awk -v lang="$1" '
        /^## / { insec = ($0 == "## C quick start") ; next }
        !insec || done { next }
        inblk && /^```[[:space:]]*$/ { done = 1; next }
        inblk { print; next }
        $0 == "```" lang { inblk = 1 }
    ' "$README"
}
program=$(block c)
commands=$(block sh)
[[ -n "$program" ]] || { fail "no \`\`\`c block under \"## C quick start\" in README.md"; finish; }
[[ -n "$commands" ]] || { fail "no \`\`\`sh block under \"## C quick start\" in README.md"; finish; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jwtkit-readme.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# target/ is linked too (created first if this is a fresh clone), so the release build is
# shared with the checkout: incremental here, and still there after this script.
mkdir -p "$ROOT/target"
for entry in "$ROOT"/* "$ROOT"/.[!.]*; do
    name=${entry##*/}
    case $name in .git | app | app.c) continue ;; esac
    [[ -e "$entry" ]] && ln -s "$entry" "$WORK/$name"
done
# A link named after the SONAME left by an earlier run would hide a README that no longer
# makes it: start without one, as a fresh clone does (the quick start makes it again).
[[ -L "$ROOT/target/release/libjwtkit.so.0" ]] && rm -f "$ROOT/target/release/libjwtkit.so.0"
printf '%s\n' "$program" > "$WORK/app.c"
printf '%s\n' "$commands" > "$WORK/quickstart.sh"

echo "readme: the C quick start, in $WORK:" >&2
sed 's/^/    /' "$WORK/quickstart.sh" >&2
# Each command as printed, stopping at the first that fails; ./app's output is kept. A new
# user has no search paths pointing into this checkout, so none may help the commands here.
if ! (cd "$WORK" && unset LD_LIBRARY_PATH LIBRARY_PATH CPATH C_INCLUDE_PATH &&
      bash -e quickstart.sh > out.txt 2> err.txt); then
    cat "$WORK/err.txt" >&2
    fail "a quick-start command failed (output above)"
    finish
fi

# The commands print nothing of their own on stdout (cargo and cc write to stderr): what is
# there is ./app's, and it must be exactly the token line and the claims line.
mapfile -t out < "$WORK/out.txt"
b64='[A-Za-z0-9_-]+'
if [[ ${#out[@]} -ne 2 ]]; then
    fail "./app printed ${#out[@]} lines, expected 2 (token, claims): $(cat "$WORK/out.txt")"
elif ! [[ ${out[0]} =~ ^$b64\.$b64\.$b64$ ]]; then
    fail "first line is not a compact JWS of three base64url segments: ${out[0]}"
elif [[ ${out[1]} != '{"userId":123}' ]]; then
    fail "second line is not the claims {\"userId\":123}: ${out[1]}"
else
    # The token must carry exactly these claims and the algorithm the program asked for.
    b64url_decode() { # base64url without padding -> bytes (coreutils only)
        local s=${1//-/+}
        s=${s//_//}
        while ((${#s} % 4)); do s+='='; done
        base64 -d <<< "$s" 2>/dev/null
    }
    IFS=. read -r h p _ <<< "${out[0]}"
    header=$(b64url_decode "$h")
    payload=$(b64url_decode "$p")
    if [[ $payload != '{"userId":123}' ]]; then
        fail "the token's payload is not {\"userId\":123}: $payload"
    elif [[ $header != *'"alg":"HS256"'* ]]; then
        fail "the token's header does not say HS256: $header"
    else
        passed=$((passed + 1))
        echo "readme: ok: ./app printed a three-segment HS256 token and {\"userId\":123}" >&2
    fi
fi
finish
