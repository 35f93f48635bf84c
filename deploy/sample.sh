#!/usr/bin/env bash
# Load the sample catalog and org chart into running daemons (make run
# calls it; run it again after editing the CSV files: imports replace rows).
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
CTL="$BUILD/bin/dunghanctl"
export DUNGHAN_ACTOR=${DUNGHAN_ACTOR:-ops}
"$CTL" catalog import deploy/catalog/procedures.csv >/dev/null
"$CTL" org import units deploy/org/units.csv >/dev/null
"$CTL" org import staff deploy/org/staff.csv >/dev/null
echo "sample data loaded: $(grep -vc '^#\|^code,' deploy/catalog/procedures.csv) procedures," \
     "$(grep -vc '^#\|^code,' deploy/org/units.csv) units, $(grep -vc '^#\|^id,' deploy/org/staff.csv) staff"
