#!/usr/bin/env bash
# Load the sample catalog and org chart into running daemons (make run
# calls it; run it again after editing the CSV files: imports replace rows).
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
CTL="$BUILD/bin/dunghanctl"
# Each sample person gets a certificate to try the system with
# (DUNGHAN_CERT=<certs>/bd.mc.cert dunghanctl submit ...); dunghanctl
# itself speaks as the configuration's operator.
export DUNGHAN_CONFIG=${DUNGHAN_CONFIG:-deploy/dunghan.cfg}
. deploy/paths.sh
CERTS=$(config_path certs)
if [ -n "$CERTS" ]; then
    awk -F, 'NR > 1 && !/^#/ && $1 != "id" { print $1, $4 }' deploy/org/staff.csv | while read -r id role; do
        [ "$role" = operator ] || role=staff
        [ -f "$CERTS/$id.cert" ] || "$CTL" cert new --name "$id" --role "$role" --dir "$CERTS" >/dev/null
    done
fi
"$CTL" catalog import deploy/catalog/procedures.csv >/dev/null
"$CTL" catalog import deploy/catalog/steps.csv >/dev/null
"$CTL" org import units deploy/org/units.csv >/dev/null
"$CTL" org import staff deploy/org/staff.csv >/dev/null
"$CTL" notify templates deploy/templates/templates.txt >/dev/null
"$CTL" notify contacts deploy/org/staff.csv >/dev/null
echo "sample data loaded: $(grep -vc '^#\|^code,' deploy/catalog/procedures.csv) procedures," \
     "$(grep -vc '^#\|^code,' deploy/org/units.csv) units, $(grep -vc '^#\|^id,' deploy/org/staff.csv) staff"
