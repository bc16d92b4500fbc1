#!/bin/sh
# npm run synth and cdk8s synth (cdk8s.yaml): main.ts, started from a V8 startup snapshot of the synth when one is ready
# for this Node (scripts/synth-snapshot.ts: modules loaded, validators compiled and run once; ~0.25 s of a 0.65 s run).
# Else — the first run, the first after an edit, another Node — main.ts runs as one bundle (scripts/run-bundled.js) and
# the next snapshot is made in the background. Not with NODE_OPTIONS: a snapshot holds the V8 flags it was made with.
here=$(dirname "$0")
blob="$here/../node_modules/.cache/snapshots/synth-$(node --version)-$(uname -m).blob"
if [ -z "${NODE_OPTIONS-}" ] && [ -f "$blob" ]; then
  node --snapshot-blob "$blob" -- "$@" # after --: arguments of main.ts, not options of node
  rc=$?
  [ "$rc" -eq 14 ] || exit "$rc" # 14: its inputs changed since it was made
fi
node "$here/run-bundled.js" "$here/../main.ts" "$@"
rc=$?
if [ -z "${NODE_OPTIONS-}" ]; then
  (node "$here/build-snapshot.js" "$here/synth-snapshot.ts" "$blob" </dev/null >/dev/null 2>&1 &)
fi
exit "$rc"
