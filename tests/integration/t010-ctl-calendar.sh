# dunghanctl calendar, without any daemon: the issue's examples, JSON,
# --help, and clear errors with non-zero exits.
. tests/lib.sh
CTL="$DH_BIN/dunghanctl"
cal() { "$CTL" calendar "$@" --calendar "$DH_ROOT/deploy/calendar"; }
dh_expect_eq "due" "2025-04-26T16:30:00+07:00" "$(cal due --from "2025-04-25 16:30" --hours 8)"
dh_expect_eq "same day" "2025-04-26T17:00:00+07:00" "$(cal due --from "2025-04-25 16:30" --same-day)"
dh_expect_eq "calendar days" "2025-05-05T17:00:00+07:00" "$(cal due --from "2025-04-28 09:00" --calendar-days 5)"
dh_expect_eq "iso input" "2025-04-28T09:00:00+07:00" "$(cal due --from 2025-04-28T01:00:00Z --hours 1)"
dh_expect_eq "between" "16" "$(cal between --from "2025-04-29 08:00" --to "2025-05-06 08:00")"
dh_expect_eq "between half" "0.5" "$(cal between --from "2025-04-28 09:00" --to "2025-04-28 09:30")"
dh_expect_eq "outcome" "on-time" "$(cal outcome --due "2025-05-06 17:00" --finished "2025-05-06 13:00" --method time)"
dh_expect_eq "outcome" "early" "$(cal outcome --due "2025-05-06 17:00" --finished "2025-05-06 12:59" --method time)"
dh_expect_eq "outcome" "late" "$(cal outcome --due "2025-05-06 17:00" --finished "2025-05-07 08:00" --method date)"
json=$(cal due --from "2025-04-25 16:30" --hours 8 --json)
dh_expect_eq "json due" "2025-04-26T16:30:00+07:00" "$(dh_field "$json" due)"
dh_expect_eq "json received" "2025-04-25T16:30:00+07:00" "$(dh_field "$json" received)"
dh_expect_eq "json outcome" "late" "$(dh_field "$(cal outcome --due "2025-05-06 17:00" --finished "2025-05-08 08:00" --method time --json)" outcome)"
"$CTL" calendar due --help | grep -q -- "--hours" || dh_fail "due --help"
"$CTL" calendar between --help | grep -q -- "--to" || dh_fail "between --help"
"$CTL" calendar outcome --help | grep -q -- "--method" || dh_fail "outcome --help"
# errors: a message and a non-zero exit
expect_exit() {
    local want=$1; shift
    local status=0
    "$@" >"$DH_DIR/out" 2>"$DH_DIR/err" || status=$?
    dh_expect_eq "exit of '$*'" "$want" "$status"
    [ -s "$DH_DIR/err" ] || dh_fail "'$*' said nothing on stderr"
}
expect_exit 1 cal due --from "2031-01-02 09:00" --hours 8
grep -q "no working calendar for 2031" "$DH_DIR/err" || dh_fail "year without data: $(cat "$DH_DIR/err")"
expect_exit 1 cal due --from "2025-02-30 09:00" --hours 8
expect_exit 1 cal due --from "2025-04-28 09:00" --hours many
expect_exit 2 cal due --from "2025-04-28 09:00"
expect_exit 2 cal due --from "2025-04-28 09:00" --hours 8 --same-day
expect_exit 2 cal outcome --due "2025-05-06 17:00" --finished "2025-05-06 13:00" --method hour
expect_exit 2 cal due --bogus
expect_exit 1 "$CTL" calendar due --from "2025-04-28 09:00" --hours 1 --calendar /nonexistent
echo "calendar command: examples, JSON, help and errors as documented"
