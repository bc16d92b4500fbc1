#!/bin/sh
# npm run synth and cdk8s synth (cdk8s.yaml): main.ts, started from a V8 startup snapshot of the synth when one is ready
# (scripts/synth-snapshot.ts: modules loaded, validators compiled and run once). Else — the first run, the first after
# an edit, another Node, a variable set that the synth reads (scripts/snapshot-start.js) — main.ts runs as one bundle
# (scripts/run-bundled.js) and the next snapshot is made in the background (in the foreground with
# CDK8S_TLS_SNAPSHOT_WAIT=1). Not with NODE_OPTIONS: a snapshot holds the V8 flags it was made with.
# The synth opens no TLS connection, so its Node need not load the CA bundle NODE_EXTRA_CA_CERTS names, which Node does
# as it starts, whether or not anything connects: ~90 ms on a machine that sets it, more than all else of Node's start.
unset NODE_EXTRA_CA_CERTS
case $0 in */*) here=${0%/*} ;; *) here=. ;; esac
root=$(CDPATH="" cd -- "$here/.." && pwd -P) || exit
# One per checkout and Node: a node_modules copied or linked into another checkout must not run this one's code, and
# each Node on the PATH (nvm, a CI matrix) keeps its own. Named by the node found, not by `node --version` (a process
# to start, ~5 ms of a 0.5 s run): a Node upgraded in place finds the old blob, refuses it (14, or it crashes: both
# below) and scripts/build-snapshot.js, whose record names the Node that made a blob, makes it again.
blob="$root/node_modules/.cache/snapshots/synth-$(printf '%s\n%s' "$root" "$(command -v node)" | cksum | cut -d ' ' -f 1).blob"
if [ -z "${NODE_OPTIONS-}" ] && [ -f "$blob" ]; then
  node --snapshot-blob "$blob" -- "$@" # after --: arguments of main.ts, not options of node
  rc=$?
  case $rc in
    14) ;; # it may not start from this snapshot (scripts/snapshot-start.js)
    130 | 143) exit "$rc" ;; # stopped (Ctrl-C, SIGTERM)
    13[2-9]) rm -f "$blob" "$blob.json" ;; # Node crashed reading it (a truncated or damaged file): made again
    *) exit "$rc" ;;
  esac
fi
node "$root/scripts/run-bundled.js" "$root/main.ts" "$@"
rc=$?
if [ -z "${NODE_OPTIONS-}" ]; then
  if [ -n "${CDK8S_TLS_SNAPSHOT_WAIT-}" ]; then
    # The synth's own failure first; else a snapshot that could not be made fails the run.
    node "$root/scripts/build-snapshot.js" "$root/scripts/synth-snapshot.ts" "$blob" || [ "$rc" -ne 0 ] || rc=1
  else
    (node "$root/scripts/build-snapshot.js" "$root/scripts/synth-snapshot.ts" "$blob" </dev/null >/dev/null 2>&1 &)
  fi
fi
exit "$rc"
