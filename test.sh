#!/usr/bin/env bash
# Runs every test: installs what the tests need when missing (Chromium, maildev, PostgreSQL),
# starts a throw-away PostgreSQL for the tests that run on both providers, then `dotnet test`,
# and ends with one line "N passed, N failed" taken from the test results.
#   ./test.sh           the whole suite (benchmarks excluded)
#   ./test.sh --bench   the benchmarks (Release build), which write README's Performance section
#   ./test.sh --bench --only Notices,Chaos
#                       only the benchmark classes whose names contain one of those words
#   ./test.sh --at 'YYYY-MM-DD HH:MM:SS'
#                       the whole suite with the apps' clock starting at that UTC instant, to prove
#                       that no test depends on the day it runs
set -euo pipefail
cd "$(dirname "$0")"

mode=tests
at=""
only=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --bench) mode=bench ;;
    --full) export CLINIC_BENCH_FULL=1 ;;
    --only) only="${2:?--only needs benchmark names, e.g. --only Notices,Chaos}"; shift ;;
    --at) at="${2:?--at needs an instant, e.g. --at '2026-11-28 01:00:00'}"; shift ;;
    *) echo "unknown option: $1 (use --bench, optionally with --full and --only NAMES, or --at 'YYYY-MM-DD HH:MM:SS')" >&2; exit 2 ;;
  esac
  shift
done


log() { printf '==> %s\n' "$*"; }

# Chromium for the browser tests (Debian's package; Playwright uses /usr/bin/chromium).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Chromium"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    log "no /usr/bin/chromium and not root on Debian: Playwright will use its own browser (run 'pwsh playwright.ps1 install' once)"
  fi
fi

# maildev, the real SMTP server the notification tests talk to, into a local git-ignored folder.
if [ ! -f .test-tools/node_modules/maildev/dist/bin/maildev.js ]; then
  log "installing maildev into .test-tools"
  mkdir -p .test-tools
  npm install --prefix .test-tools --no-audit --no-fund --loglevel=error maildev@3.0.0 >/dev/null
fi

# PostgreSQL for the tests that run on both providers: a throw-away cluster on loopback at a free
# port, stopped when this script ends. If it cannot start, the run fails here (it never skips them).
if ! postgres_out=$(ClinicBlazor.Tests/Infrastructure/test-postgres.sh start); then
  echo "The PostgreSQL tests cannot run: a local PostgreSQL did not start (see the line above)."
  echo "0 passed, 1 failed"
  exit 1
fi
postgres_dir=$(sed -n 1p <<<"$postgres_out")
trap 'ClinicBlazor.Tests/Infrastructure/test-postgres.sh stop "$postgres_dir"' EXIT
export CLINIC_TEST_POSTGRES=$(sed -n 2p <<<"$postgres_out")
log "PostgreSQL for the tests at ${CLINIC_TEST_POSTGRES%%;Username*}"

if [ -n "$at" ]; then
  # Every app the tests start, and the Twilio stand-in, read a clock that starts at this instant and runs
  # on in real time (ShiftedClock); fake-clock tests keep their own fixed instants. libfaketime was tried
  # first: under it MSBuild's restore never finishes and vstest cannot reach its test host.
  export CLINIC_TEST_CLOCK="$at"
  log "the apps' clock starts at $at UTC"
fi

rm -rf TestResults
if [ "$mode" = bench ]; then
  filter="Category=Benchmark"
  if [ -n "$only" ]; then
    names=$(tr ',' '\n' <<<"$only" | sed 's/^/FullyQualifiedName~/' | paste -sd '|')
    filter="$filter&($names)"
  fi
  configuration=Release
else
  filter="Category!=Benchmark"
  configuration=Debug
fi

log "dotnet test ($configuration, $filter)"
set +e
dotnet test ClinicBlazor.sln -c "$configuration" --filter "$filter" \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory TestResults 2>&1 | grep -v -E '^\s*$|^\s+Passed |^  Determining|^  All projects are up-to-date'
status=${PIPESTATUS[0]}
set -e

passed=0; failed=0; skipped=0
for trx in TestResults/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  executed=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done

# Repeat the failures (name and the start of their message) at the end, where a CI log's tail shows them.
for trx in TestResults/*.trx; do
  [ -f "$trx" ] || continue
  awk '
    /<UnitTestResult / && /outcome="Failed"/ {
      inside = 1; lines = 0
      match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11)
      gsub(/&quot;/, "\"", name); print "FAILED " name
    }
    inside && /<Message>/ { message = 1 }
    inside && message {
      last = ($0 ~ /<\/Message>/)
      line = $0; sub(/^[ \t]*<Message>/, "", line); sub(/<\/Message>.*/, "", line); gsub(/&quot;/, "\"", line)
      if (lines < 8) { print "    " line; lines++ }
      if (last) message = 0
    }
    inside && /<\/UnitTestResult>/ { inside = 0; message = 0 }
  ' "$trx"
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or the test host failed before any result was written: count it as a failure.
  failed=1
fi

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
