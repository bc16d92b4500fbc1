#!/usr/bin/env bash
# Regenerates imports/ from the upstream CRDs in ../shared/crds (never edit imports/ by hand; the output is committed):
# - typed L1 classes (cdk8s import; it takes one file per group, so each group's CRDs are concatenated first);
# - imports/validators/: every served CRD version compiled ahead of time into a validator with its CEL rules
#   (scripts/compile-schemas.ts), so the checks compile nothing at synth time.
set -euo pipefail
cd "$(dirname "$0")/.."
crds=${CRDS_DIR:-../shared/crds}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

import_group() { # name files... (the name only names the temp file)
  local name=$1
  shift
  for f in "$@"; do cat "$f"; printf '\n---\n'; done > "$tmp/$name.yaml"
  npx cdk8s import "$tmp/$name.yaml" --language typescript --output imports --save false --no-check-upgrade
}

import_group cert-manager "$crds"/cert-manager-v1.21.1/*.yaml
import_group gateway-api "$crds"/gateway-api-v1.6.1-standard/*.yaml
import_group traefik "$crds"/traefik-v3.7.9/*.yaml
# The two Envoy Gateway policies the Gateway API edge emits (SecurityPolicy is validated, not emitted).
import_group envoy-gateway "$crds"/envoy-gateway-v1.9.0/gateway.envoyproxy.io_{clienttrafficpolicies,backendtrafficpolicies}.yaml
import_group trust-manager "$crds"/trust-manager-v0.24.0/*.yaml
import_group prometheus-operator "$crds"/prometheus-operator-v0.93.0/monitoring.coreos.com_prometheusrules.yaml

node --require ./scripts/ts-loader.js scripts/compile-schemas.ts imports/validators "$crds"/*/
