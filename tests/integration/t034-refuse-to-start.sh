# A daemon that cannot start until someone changes its configuration or
# its store says why and exits 78 (EX_CONFIG: systemd does not restart it
# in a loop): a bad key, a missing calendar, a store of another layout.
# The store it refused is left as it was.
. tests/lib.sh

# expect_refusal WHAT PATTERN COMMAND...: exit 78, PATTERN in what it said.
expect_refusal() {
    local what=$1 pattern=$2 status=0; shift 2
    timeout 10 "$@" >"$DH_DIR/refused.out" 2>&1 || status=$?
    dh_expect_eq "exit of $what" 78 "$status"
    grep -q -- "$pattern" "$DH_DIR/refused.out" || dh_fail "$what did not say '$pattern': $(cat "$DH_DIR/refused.out")"
}

expect_refusal "a bad batch_limit" "batch_limit" "$DH_BIN/dunghan-assign" --set batch_limit=0
expect_refusal "an unknown key" "no_such_key" "$DH_BIN/dunghan-assign" --set no_such_key=1
expect_refusal "a missing calendar" "cannot load the calendar" \
    "$DH_BIN/dunghan-intake" --set calendar="$DH_DIR/no-calendar"

# A store recorded with another layout (as a newer or older version would
# write it): the layout record is rewritten with LMDB's own tools.
dh_start_work
code=$(dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
        --name "Lê Thị Hoa" --id 001199000222)" code)
[ -n "$code" ] || dh_fail "no dossier submitted"
dh_stop intake
store="$DH_DIR/intake.lmdb"
layout_key=$(printf layout | od -An -tx1 | tr -d ' \n')
mdb_dump -s service "$store" | awk -v key=" $layout_key" -v kept="$DH_DIR/layout.kept" '
    replace { print > kept; print " 0000000000000009"; replace = 0; next }
    $0 == key { replace = 1 }
    { print }' >"$DH_DIR/service.dump"
grep -q "^ 0000000000000009$" "$DH_DIR/service.dump" || dh_fail "no layout record in intake's store"
mdb_load -s service -f "$DH_DIR/service.dump" "$store"
expect_refusal "intake on a store of layout 9" "holds layout 9; this program reads layout 3" \
    "$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar"
grep -q "E_LAYOUT\|another layout" "$DH_DIR/refused.out" || dh_fail "the refusal does not name the error"

# Put the record back: the dossier is still there, untouched.
mdb_dump -s service "$store" | sed "s/^ 0000000000000009\$/$(cat "$DH_DIR/layout.kept")/" >"$DH_DIR/service.dump"
mdb_load -s service -f "$DH_DIR/service.dump" "$store"
dh_start intake "$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar"
status=$(dh_ctl status "$code" --json)
dh_expect_eq "the dossier after the refusal" "$code" "$(dh_field "$status" code)"
dh_expect_eq "its applicant" 001199000222 "$(printf '%s' "$status" | jq -r .applicant.id_number)"
echo "bad keys, a missing calendar and a store of another layout stop a daemon with exit 78"
