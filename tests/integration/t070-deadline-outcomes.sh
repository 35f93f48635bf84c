# Whole lives through intake, assign and the deadline daemon: finished
# early, on time and late (judged by time), the breach of the late one
# listed as overdue with who held it, the step that overran named, and the
# figures equal to a recount from the items.
. tests/lib.sh
dh_with_deadline
dh_start_work
dh_start_deadline
dh_ctl catalog import "$DH_ROOT/deploy/catalog/steps.csv" >/dev/null
# Monday 2 March 2026, 09:00: 24 working hours end Thursday 09:00.
dh_ctl time set "2026-03-02 09:00" >/dev/null

submit() {
    dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
                --name "Nguyễn Thị Lan" --id 001199003456)" code
}

early=$(submit); on_time=$(submit); late=$(submit)
for code in $early $on_time $late; do
    dh_wait_clock "$code" open_step "$code|s|0001"
    dh_expect_eq "due time of $code" "2026-03-05T09:00:00+07:00" "$(dh_clock "$code" due_at_local)"
done
holder=$(dh_field "$(dh_ctl assignment "$late" --json)" handler)
dh_expect_eq "holder on the clock" "$holder" "$(dh_clock "$late" holder)"

# Due within 3 working days from the start: all three are due soon.
dh_expect_eq "due soon" 3 "$(dh_ctl due-soon --unit BD.TP --json | jq '.entries | length')"

dh_ctl time set "2026-03-03 09:00" >/dev/null
dh_resolve "$early"
dh_wait_clock "$early" outcome EARLY
dh_ctl time set "2026-03-05 08:30" >/dev/null
dh_resolve "$on_time"
dh_wait_clock "$on_time" outcome ON_TIME
dh_ctl time set "2026-03-05 10:00" >/dev/null
dh_wait_clock "$late" breached true
overdue=$(dh_ctl overdue --unit BD.TP --json)
dh_expect_eq "overdue list" "$late $holder" "$(printf '%s' "$overdue" | jq -r '.entries | map("\(.item) \(.holder)") | join(",")')"
dh_expect_eq "working days over" 0.125 "$(printf '%s' "$overdue" | jq -r '.entries[0].working_days')"
dh_resolve "$late"
dh_wait_clock "$late" outcome LATE
dh_expect_eq "overdue after" 0 "$(dh_ctl overdue --json | jq '.entries | length')"
# The step the holder was on ran past its own deadline: named, with him.
late_steps=$(dh_ctl clock "$late" --json | jq -r '.late_steps | map("\(.node) \(.holder)") | join(",")')
dh_expect_eq "late steps" "handling $holder" "$late_steps"

stats=$(dh_ctl stats --unit BD.TP --from 2026-03-01 --to 2026-03-31 --json)
got=$(printf '%s' "$stats" | jq -r '"\(.received_in_person) \(.finished) \(.finished_early) \(.finished_on_time) \(.finished_late) \(.in_progress) \(.on_time_rate)"')
dh_expect_eq "stats" "3 3 1 1 1 0 66.7" "$got"
# The next month carries nothing over; the month before saw nothing.
dh_expect_eq "April" 0 "$(dh_ctl stats --unit BD.TP --from 2026-04-01 --to 2026-04-30 --json | jq '.carried_over + .received')"
columns='[.carried_over, .received_online, .received_in_person, .received_post, .finished_early,
          .finished_on_time, .finished_late, .refused, .in_progress, .open_within, .open_overdue, .paused,
          .withdrawn, .not_accepted] | join(" ")'
dh_expect_eq "stats equal the recount" \
    "$(dh_ctl recount --unit BD.TP --from 2026-03-01 --to 2026-03-31 --json | jq -r "$columns")" \
    "$(printf '%s' "$stats" | jq -r "$columns")"
