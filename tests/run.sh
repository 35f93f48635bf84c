#!/usr/bin/env bash
# The test runner: every unit test binary, then every integration script.
# One line per test; the last line is exactly "N passed, N failed".
# usage: tests/run.sh BUILD_DIR [PATTERN]
set -u
BUILD=${1:-build}
PATTERN=${2:-}
export BUILD
cd "$(dirname "$0")/.."
passed=0
failed=0
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

run_one() {
    local name=$1; shift
    [ -n "$PATTERN" ] && [[ "$name" != *$PATTERN* ]] && return
    local start=$SECONDS
    if "$@" >"$logs/out" 2>&1; then
        passed=$((passed + 1))
        printf 'ok   %-40s %3ds\n' "$name" $((SECONDS - start))
    else
        failed=$((failed + 1))
        printf 'FAIL %-40s %3ds\n' "$name" $((SECONDS - start))
        sed 's/^/     | /' "$logs/out" | tail -n 60
    fi
}

for test in "$BUILD"/tests/test_*; do
    [ -x "$test" ] || continue
    run_one "unit/$(basename "$test")" "$test"
done
for test in tests/integration/t*.sh; do
    [ -f "$test" ] || continue
    run_one "integration/$(basename "$test" .sh)" bash "$test"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
