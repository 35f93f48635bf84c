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
# A few dossiers at the district's counter on the first start, so the
# dashboard has something to show (never again once any is open).
if [ -n "$CERTS" ] && [ "$("$CTL" backlog --json 2>/dev/null | jq '.entries | length' 2>/dev/null)" = 0 ]; then
    n=0
    while IFS=, read -r procedure name id; do
        DUNGHAN_CERT="$CERTS/bd.mc.cert" "$CTL" submit --procedure "$procedure" --name "$name" --id "$id" \
            --document "Tờ khai" >/dev/null && n=$((n + 1))
    done <<'SAMPLES'
1.001193.000.00.00.H26,Nguyễn Văn An,001190000101
1.000894.000.00.00.H26,Trần Thị Bình,001190000102
1.003583.000.00.00.H26,Lê Văn Cường,001190000103
1.009969.000.00.00.H26,Phạm Thị Dung,001190000104
2.000720.000.00.00.H26,Hoàng Văn Em,001190000105
1.001304.000.00.00.H26,Đỗ Thị Phương,001190000106
SAMPLES
    echo "sample dossiers received: $n (dunghanctl backlog lists them)"
fi
