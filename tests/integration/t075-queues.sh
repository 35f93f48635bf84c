# dunghanctl queues: per unit, open items, due soon, overdue and the age
# of the oldest open item, as time moves, after a resolve and a transfer.
. tests/lib.sh
dh_with_deadline
dh_start_work
dh_start_deadline
dh_ctl catalog import "$DH_ROOT/deploy/catalog/steps.csv" >/dev/null

# submit PROCEDURE: a dossier received at the Ba Đình counter; its code.
submit() {
    dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure "$1" \
                --name "Nguyễn Thị Lan" --id 001199003456)" code
}
# queue UNIT: "open due_soon overdue oldest_item oldest_received_at_local oldest_age_s"
queue() {
    dh_ctl queues --unit "$1" --json | jq -r '.rows[0] |
        "\(.open) \(.due_soon) \(.overdue) \(.oldest_item) \(.oldest_received_at_local) \(.oldest_age_s)"'
}

copy=1.003583.000.00.00.H26       # birth certificate copy, BD.TP, 3 working days
poor=1.001304.000.00.00.H26       # poor-household certificate, BD.LDTBXH, 15 working days

dh_expect_eq "nothing open" 0 "$(dh_ctl queues --json | jq '.rows | length')"

# Monday 2 March 2026, 09:00: one for BD.TP; Tuesday 09:00 another, and
# one for BD.LDTBXH.
dh_ctl time set "2026-03-02 09:00" >/dev/null
a=$(submit $copy)
dh_ctl time set "2026-03-03 09:00" >/dev/null
b=$(submit $copy); c=$(submit $poor)
for code in $a $b $c; do dh_wait_clock "$code" open_step "$code|s|0001"; done
# Both BD.TP items are due within 3 working days, so warned at once.
dh_wait_clock "$a" warned true
dh_wait_clock "$b" warned true
dh_expect_eq "BD.TP on Tuesday" "2 2 0 $a 2026-03-02T09:00:00+07:00 86400" "$(queue BD.TP)"
dh_expect_eq "BD.LDTBXH on Tuesday" "1 0 0 $c 2026-03-03T09:00:00+07:00 0" "$(queue BD.LDTBXH)"
all=$(dh_ctl queues --json)
dh_expect_eq "every unit, in order" "BD.LDTBXH BD.TP" "$(printf '%s' "$all" | jq -r '.rows | map(.unit) | join(" ")')"
dh_expect_eq "a unit with nothing" "0 0 0" "$(dh_ctl queues --unit CG.TP --json | jq -r '.rows[0] | "\(.open) \(.due_soon) \(.overdue)"')"

# Thursday 10:00: the first is an hour past its due time (Thursday 09:00).
dh_ctl time set "2026-03-05 10:00" >/dev/null
dh_wait_clock "$a" breached true
dh_expect_eq "BD.TP on Thursday" "2 1 1 $a 2026-03-02T09:00:00+07:00 262800" "$(queue BD.TP)"
# Text: a header, then one aligned line per unit with the age in days and hours.
text=$(dh_ctl queues)
printf '%s\n' "$text" | head -1 | grep -q '^unit  *open  *due soon  *overdue  *oldest  *received  *item$' \
    || dh_fail "queues header: $text"
line=$(printf '%s\n' "$text" | grep '^BD.TP ')
printf '%s\n' "$line" | grep -q "^BD.TP  *2  *1  *1  *3d 1h  *2026-03-02T09:00:00+07:00  *$a\$" \
    || dh_fail "queues line of BD.TP: '$line'"
dh_expect_eq "columns aligned" "$(printf '%s\n' "$text" | head -1 | awk '{ print index($0, "oldest") }')" \
    "$(printf '%s\n' "$line" | awk '{ print index($0, "3d 1h") }')"
printf '%s\n' "$text" | grep -q "^BD.LDTBXH  *1  *0  *0  *2d 1h " || dh_fail "queues line of BD.LDTBXH: $text"

# The late one resolved: the next oldest is the oldest now.
dh_resolve "$a"
dh_wait_clock "$a" outcome LATE
dh_expect_eq "BD.TP after the resolve" "1 1 0 $b 2026-03-03T09:00:00+07:00 176400" "$(queue BD.TP)"

# Transferred, the item leaves the one unit's queue and joins the other's,
# still as old as it is.
DUNGHAN_ACTOR=bdtp.tp dh_ctl transfer "$b" --unit CG.TP --reason "đúng thẩm quyền" >/dev/null
dh_wait_clock "$b" unit CG.TP
dh_expect_eq "BD.TP after the transfer" 0 "$(dh_ctl queues --json | jq '[.rows[] | select(.unit == "BD.TP")] | length')"
dh_expect_eq "CG.TP after the transfer" "1 1 0 $b 2026-03-03T09:00:00+07:00 176400" "$(queue CG.TP)"

# Withdrawn, nothing is left of it.
DUNGHAN_ACTOR=bd.mc dh_ctl withdraw "$c" >/dev/null
dh_wait_clock "$c" end END_WITHDRAWN
dh_expect_eq "units left" "CG.TP" "$(dh_ctl queues --json | jq -r '.rows | map(.unit) | join(" ")')"
