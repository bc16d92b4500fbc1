#!/bin/sh
# npm test [-- JEST ARGS]: the type-check (tsc -b, incremental) runs beside jest rather than before it, on the core
# jest's start leaves idle; the run fails if either fails, and both report. Run through npm (its PATH has tsc and jest).
tsc -b & tsc=$!
jest "$@"
status=$?
wait "$tsc" || status=1
exit "$status"
