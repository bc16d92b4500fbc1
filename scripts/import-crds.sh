#!/usr/bin/env bash
# Regenerates the typed L1 classes in imports/ from the upstream CRDs in ../shared/crds.
# cdk8s import takes one file per group, so each group's CRDs are concatenated first.
# It also extracts each CRD's openAPIV3Schema into imports/schemas/ for validation (tests, npm run check).
# The output is committed; never edit imports/ by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
crds=${CRDS_DIR:-../shared/crds}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

import_group() { # name dir (name only names the temp file)
  local name=$1 dir=$2
  for f in "$crds/$dir"/*.yaml; do cat "$f"; printf '\n---\n'; done > "$tmp/$name.yaml"
  npx cdk8s import "$tmp/$name.yaml" --language typescript --output imports --save false
  node --import tsx scripts/extract-crd-schemas.ts "imports/schemas/$name.json" "$tmp/$name.yaml"
}

import_group cert-manager cert-manager-v1.21.1
import_group gateway-api gateway-api-v1.6.1-standard
import_group traefik traefik-v3.7.9
