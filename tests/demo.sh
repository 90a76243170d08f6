#!/usr/bin/env bash
# make demo: the main job on this machine, step by step, saying where
# everything is. Later issues extend it to the whole story on the lab.
set -euo pipefail
cd "$(dirname "$0")/.."
SB=${SITEBOOT:-./siteboot}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Validate the example site BOMs (one per tier)"
$SB bom check bom/examples/*.yaml

say "What the edge site should hold"
$SB bom show bom/examples/edge-accra.yaml

say "Done"
echo "Example BOMs: bom/examples/; BOM reference: docs/bom.md; manual: man -l docs/siteboot.1"
