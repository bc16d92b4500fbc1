#!/bin/sh
# npm test [-- JEST ARGS]: the type-check (tsc -b, incremental) runs beside jest rather than before it, at the lowest
# CPU priority: it takes the time jest leaves idle, and never the CPU of the tests that measure time limits (a full
# type-check of a fresh clone at normal priority starved them on 2 cores). The run fails if either fails, and both
# report. Run through npm (its PATH has tsc and jest).
if command -v nice >/dev/null 2>&1; then nice -n 19 tsc -b & else tsc -b & fi
tsc=$!
# A background job of sh ignores Ctrl-C: it is stopped with the run.
trap 'kill "$tsc" 2>/dev/null' INT TERM
jest "$@"
status=$?
wait "$tsc" || status=1
exit "$status"
