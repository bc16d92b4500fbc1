#!/usr/bin/env bash
# Runs `cdk8s-tls verify` and testssl.sh side by side against the fault servers of the verify tests (nginx from
# Debian's packages where installed, else the Node https + ws stack; all on loopback) and prints a Markdown table of
# which tool flags which fault. Slow (testssl.sh takes ~50 s per server): for developers, not CI.
#   apt-get install -y testssl.sh nginx      # as root
#   scripts/testssl-compare.sh               # JOBS=3 servers at a time; TESTSSL=/path/to/testssl.sh to pick another;
#                                            # CASES=regex for only the matching faults (and the correct servers)
set -euo pipefail
cd "$(dirname "$0")/.."
TESTSSL=${TESTSSL:-$(command -v testssl || command -v testssl.sh || true)}
if [ -z "$TESTSSL" ]; then
  echo "testssl.sh is not installed: apt-get install -y testssl.sh (Debian's package), or set TESTSSL=/path/to/testssl.sh" >&2
  exit 2
fi
command -v nginx >/dev/null || echo "nginx is not installed (apt-get install -y nginx): the Node stack stands in for it" >&2
"$TESTSSL" --version 2>/dev/null | grep -m1 -o 'testssl.* [0-9][0-9.]*' >&2 || true
TESTSSL="$TESTSSL" exec node --require ./scripts/ts-loader.js scripts/testssl-compare.ts
