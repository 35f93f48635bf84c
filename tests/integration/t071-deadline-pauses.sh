# Pauses and re-appointments through the real daemons: supplementation
# that extends the due time and one that restarts it, a supplementation
# deadline missed (the dossier becomes not accepted), an apology approved
# and one refused (and those refused outright), a holiday inside a
# deadline, and the outcome judged by date rather than by time.
. tests/lib.sh
dh_with_deadline
dh_start_work
dh_start_deadline
dh_ctl time set "2026-03-02 09:00" >/dev/null

submit() {
    dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure "$1" \
                --name "Phạm Văn Minh" --id 001088004455)" code
}
holder() { dh_field "$(dh_ctl assignment "$1" --json)" handler; }
token() { dh_field "$(dh_ctl assignment "$1" --json)" step_token; }
as_holder() {
    local code=$1; shift
    DUNGHAN_ACTOR=$(holder "$code") dh_ctl "$@"
}
# resolve CODE: the holder examines it and resolves it.
resolve() {
    as_holder "$1" step start "$1" --token "$(token "$1")" --node "Thẩm định hồ sơ" >/dev/null
    as_holder "$1" resolve "$1" --token "$(token "$1")" >/dev/null
}

BIRTH=1.003583.000.00.00.H26      # 24 h, extend after supplementation, 24 h to supplement
HOUSEHOLD=2.000720.000.00.00.H26  # 24 h, restart after supplementation
extend=$(submit $BIRTH); restart=$(submit $HOUSEHOLD); expire=$(submit $BIRTH)
approved=$(submit $BIRTH); refused=$(submit $BIRTH); too_late=$(submit $BIRTH)
for code in $extend $restart $expire $approved $refused $too_late; do
    dh_wait_clock "$code" open_step "$code|s|0001"
done

# Tuesday: papers are missing for three of them; their clocks pause.
dh_ctl time set "2026-03-03 09:00" >/dev/null
for code in $extend $restart $expire; do
    as_holder "$code" step start "$code" --token "$(token "$code")" --node "Thẩm định hồ sơ" >/dev/null
    as_holder "$code" supplement request "$code" --token "$(token "$code")" --reason "thiếu giấy tờ" \
        --paper "Bản sao CCCD" >/dev/null
    dh_wait_clock "$code" paused true
done
dh_expect_eq "a paused clock has no due time" 0 "$(dh_clock "$extend" due_at)"
supplement=$(dh_ctl clock "$expire" --json | jq -r '.clocks[] | select(.clock.kind == "SUPPLEMENT_CLOCK") | .clock.due_at_local')
dh_expect_eq "the applicant's own deadline" "2026-03-06T09:00:00+07:00" "$supplement"

# Tuesday afternoon: two bring the papers. Extend: 8 h were used, 16 h are left
# from now; restart: the full 24 h from now.
dh_ctl time set "2026-03-03 16:00" >/dev/null
for code in $extend $restart; do
    DUNGHAN_ACTOR=bd.mc dh_ctl supplement provide "$code" >/dev/null
    dh_wait_clock "$code" paused false
done
dh_expect_eq "extended" "2026-03-05T16:00:00+07:00" "$(dh_clock "$extend" due_at_local)"
dh_expect_eq "restarted" "2026-03-06T16:00:00+07:00" "$(dh_clock "$restart" due_at_local)"
dh_expect_eq "the first due time is kept" "2026-03-05T09:00:00+07:00" "$(dh_clock "$extend" original_due_at_local)"

# An apology: drafted by the holder before the due time, approved by the
# head of the lead unit; it sets the new appointment, once.
head=bdtp.tp
new_due="2026-03-10 17:00"
out=$(DUNGHAN_ACTOR=$head dh_ctl apology draft "$approved" --new-due "$new_due" --reason "chờ xác minh" 2>&1) \
    && dh_fail "an apology drafted by the head, not the holder, was taken"
case "$out" in *E_DENIED*) ;; *) dh_fail "apology by a non-holder: $out" ;; esac
as_holder "$approved" apology draft "$approved" --new-due "$new_due" --reason "chờ xác minh" >/dev/null
dh_expect_eq "drafted" APOLOGY_DRAFTED "$(dh_clock "$approved" apology)"
dh_expect_eq "drafting moves nothing" "2026-03-05T09:00:00+07:00" "$(dh_clock "$approved" due_at_local)"
out=$(as_holder "$approved" apology approve "$approved" 2>&1) && dh_fail "the holder approved his own apology"
case "$out" in *E_DENIED*) ;; *) dh_fail "approval by the holder: $out" ;; esac
DUNGHAN_ACTOR=$head dh_ctl apology approve "$approved" >/dev/null
dh_expect_eq "re-appointed" "2026-03-10T17:00:00+07:00" "$(dh_clock "$approved" due_at_local)"
out=$(as_holder "$approved" apology draft "$approved" --new-due "2026-03-12 17:00" --reason "lần hai" 2>&1) \
    && dh_fail "a second apology was taken"
case "$out" in *E_STATE*one\ re-appointment*) ;; *) dh_fail "second apology: $out" ;; esac
# One refused: the due time stays.
as_holder "$refused" apology draft "$refused" --new-due "$new_due" --reason "chờ xác minh" >/dev/null
DUNGHAN_ACTOR=$head dh_ctl apology refuse "$refused" --reason "không có căn cứ" >/dev/null
dh_expect_eq "refused" APOLOGY_REFUSED "$(dh_clock "$refused" apology)"
dh_expect_eq "refusal keeps the due time" "2026-03-05T09:00:00+07:00" "$(dh_clock "$refused" due_at_local)"

# After the due time no apology is taken.
dh_ctl time set "2026-03-05 10:00" >/dev/null
dh_wait_clock "$too_late" breached true
out=$(as_holder "$too_late" apology draft "$too_late" --new-due "$new_due" --reason "muộn" 2>&1) \
    && dh_fail "an apology after the due time was taken"
case "$out" in *E_STATE*after\ its\ due\ time*) ;; *) dh_fail "late apology: $out" ;; esac
dh_expect_eq "the re-appointed one is not overdue" false "$(dh_clock "$approved" breached)"

# The third misses its supplementation deadline: not accepted.
dh_ctl time set "2026-03-06 09:30" >/dev/null
dh_wait_clock "$expire" end END_NOT_ACCEPTED
dh_expect_eq "intake's state" REJECTED "$(dh_field "$(dh_ctl status "$expire" --json)" state)"

# Finished within the new appointment but after the original due time:
# the figures judge by the original.
dh_ctl time set "2026-03-09 09:00" >/dev/null
resolve "$approved"
dh_wait_clock "$approved" outcome LATE
stats=$(dh_ctl stats --unit BD.TP --from 2026-03-01 --to 2026-03-31 --json)
dh_expect_eq "apologies, supplements, not accepted" "1 2 1" \
    "$(printf '%s' "$stats" | jq -r '"\(.apologies) \(.supplements) \(.not_accepted)"')"

# A holiday inside a deadline: received Wednesday 29 April, the 30th and
# 1st are holidays and then a weekend: due Wednesday 6 May.
dh_ctl time set "2026-04-29 09:00" >/dev/null
holiday=$(submit $BIRTH)
dh_wait_clock "$holiday" open_step "$holiday|s|0001"
dh_expect_eq "over the holiday" "2026-05-06T09:00:00+07:00" "$(dh_clock "$holiday" due_at_local)"

# By date: finished on the due day after the due time is on time, where
# by time it is late.
dh_stop deadline
dh_start_deadline --set outcome_method=date
dh_ctl time set "2026-05-06 15:00" >/dev/null
resolve "$holiday"
dh_wait_clock "$holiday" outcome ON_TIME
