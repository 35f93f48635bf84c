# dunghanctl time advance|set moves the test clock of every configured
# daemon together (or of one, --service), prints each one's new time,
# refuses a bad duration or time with exit 2 before asking anyone, and
# says which daemon refused when one runs without the test clock. The
# deadline daemon's commands fail cleanly, naming it, when it is not there,
# and print for people when it is.
. tests/lib.sh
dh_start_work

# now_ms SERVICE: the daemon's business clock, as service-status reads it.
now_ms() { dh_field "$(dh_ctl service-status "$1" --json)" now_ms; }
# utc_ms "YYYY-MM-DD HH:MM": that Hanoi time in UTC milliseconds.
utc_ms() { echo $(( $(date -d "$1 +0700" +%s) * 1000 )); }
# expect_now WHAT MS SERVICE...: each daemon's clock reads MS.
expect_now() {
    local what=$1 ms=$2 service; shift 2
    for service in "$@"; do dh_expect_eq "$what: $service's clock" "$ms" "$(now_ms "$service")"; done
}
H=3600000

# (a) time set: every daemon, in Hanoi time; each new time printed.
start=$(utc_ms "2025-04-25 09:00")
dh_ctl time set "2025-04-25 09:00" >"$DH_DIR/out.txt" || dh_fail "time set"
expect_now "time set" "$start" intake assign
grep -q '^intake    2025-04-25T09:00:00+07:00$' "$DH_DIR/out.txt" \
    && grep -q '^assign    2025-04-25T09:00:00+07:00$' "$DH_DIR/out.txt" \
    || dh_fail "time set does not print each daemon's time: $(cat "$DH_DIR/out.txt")"
dh_expect_eq "lines of time set" 2 "$(wc -l <"$DH_DIR/out.txt")"

# (b) time advance, every unit of duration.
t=$start
for step in 90m:$((90 * 60000)) 3h:$((3 * H)) 2d:$((48 * H)) 1500ms:1500 30s:30000 250:250 0:0; do
    dh_ctl time advance "${step%%:*}" >/dev/null || dh_fail "time advance ${step%%:*}"
    t=$((t + ${step#*:}))
    expect_now "time advance ${step%%:*}" "$t" intake assign
done

# (c) time set takes ISO 8601 and @MS (UTC) too; --json gives each clock.
dh_ctl time set 2025-05-06T01:30:00Z >/dev/null || dh_fail "time set ISO 8601"
expect_now "time set ISO 8601" "$(utc_ms "2025-05-06 08:30")" intake assign
dh_ctl time set "@$start" --json >"$DH_DIR/out.json" || dh_fail "time set @MS"
expect_now "time set @MS" "$start" intake assign
dh_expect_eq "time set --json" "intake $start 2025-04-25T09:00:00+07:00 assign $start 2025-04-25T09:00:00+07:00" \
    "$(jq -r '[.[] | .service, .now_ms, .now_local] | join(" ")' "$DH_DIR/out.json")"

# (d) --service moves one daemon's clock only.
dh_ctl time advance 1h --service intake >"$DH_DIR/out.txt" || dh_fail "time advance --service intake"
expect_now "--service intake" $((start + H)) intake
expect_now "--service intake" "$start" assign
grep -q '^intake    2025-04-25T10:00:00+07:00$' "$DH_DIR/out.txt" || dh_fail "--service: $(cat "$DH_DIR/out.txt")"
dh_ctl time set "2025-04-25 09:00" --service assign >/dev/null || dh_fail "time set --service assign"
dh_ctl time set "2025-04-25 09:00" >/dev/null

# (e) A bad duration or time is refused with exit 2 and words, and no
# clock moves.
for bad in 5x -3h 3hh 1.5h h " 3h" "" 99999999999999999999 9999999999999999d; do
    if dh_ctl time advance "$bad" >"$DH_DIR/out.txt" 2>"$DH_DIR/err.txt"; then rc=0; else rc=$?; fi
    dh_expect_eq "exit status of time advance '$bad'" 2 "$rc"
    grep -qF "'$bad' is not a duration: use a whole number with ms, s, m, h or d" "$DH_DIR/err.txt" \
        || dh_fail "time advance '$bad': $(cat "$DH_DIR/err.txt")"
    [ ! -s "$DH_DIR/out.txt" ] || dh_fail "time advance '$bad' printed on stdout"
done
for bad in tomorrow "2025-02-30 09:00" "2025-04-25" @0 @-5 @12x; do
    if dh_ctl time set "$bad" >/dev/null 2>"$DH_DIR/err.txt"; then rc=0; else rc=$?; fi
    dh_expect_eq "exit status of time set '$bad'" 2 "$rc"
    grep -qF "'$bad'" "$DH_DIR/err.txt" && grep -qF 'TIME is "YYYY-MM-DD HH:MM" (Hanoi), ISO 8601 or @MS' "$DH_DIR/err.txt" \
        || dh_fail "time set '$bad': $(cat "$DH_DIR/err.txt")"
done
expect_now "after bad durations and times" "$start" intake assign
if dh_ctl time advance >/dev/null 2>"$DH_DIR/err.txt"; then rc=0; else rc=$?; fi
dh_expect_eq "exit status of time advance without DURATION" 2 "$rc"
grep -q "DURATION is required" "$DH_DIR/err.txt" || dh_fail "time advance alone: $(cat "$DH_DIR/err.txt")"
if dh_ctl time advance 1h 2h >/dev/null 2>&1; then dh_fail "two durations taken"; fi
dh_ctl time --help | grep -q '^  time advance ' || dh_fail "time --help does not list time advance"
dh_ctl time set --help | grep -q '@MS' || dh_fail "time set --help does not say @MS"

# (f) A daemon without the test clock refuses: the others move, it says
# why on stderr, and the exit status is 1.
dh_stop assign
dh_start assign "$DH_BIN/dunghan-assign" --set test_clock=0
if dh_ctl time advance 1h >"$DH_DIR/out.txt" 2>"$DH_DIR/err.txt"; then rc=0; else rc=$?; fi
dh_expect_eq "exit status with assign on real time" 1 "$rc"
grep -q "^dunghanctl: assign refused: E_DENIED .*test_clock = 1" "$DH_DIR/err.txt" \
    || dh_fail "assign's refusal not said: $(cat "$DH_DIR/err.txt")"
grep -q '^intake    2025-04-25T10:00:00+07:00$' "$DH_DIR/out.txt" || dh_fail "intake not moved: $(cat "$DH_DIR/out.txt")"
expect_now "beside a refusal" $((start + H)) intake
# ... and one that is down is named as down.
dh_stop assign
if dh_ctl time advance 1h >"$DH_DIR/out.txt" 2>"$DH_DIR/err.txt"; then dh_fail "time advance with assign down"; fi
grep -q '^assign    down' "$DH_DIR/out.txt" || dh_fail "assign not reported down: $(cat "$DH_DIR/out.txt")"
grep -q '1 of 2 daemons did not answer' "$DH_DIR/err.txt" || dh_fail "no summary: $(cat "$DH_DIR/err.txt")"

# (g) The deadline daemon's commands, with no deadline daemon running:
# exit 1 and a message naming it; bad usage is still exit 2.
for command in "clock X-1" "stats --from 2025-04-01 --to 2025-04-30" "stats --csv --from 2025-04-01 --to 2025-04-30" \
               "recount --unit BD.TP --from 2025-04-01 --to 2025-04-30" "overdue" "due-soon --limit 5" "recompute" \
               "apology draft X-1 --new-due 2025-05-06T17:00 --reason late" "apology approve X-1" \
               "apology refuse X-1 --reason no"; do
    # shellcheck disable=SC2086
    if dh_ctl $command --timeout 300 >"$DH_DIR/out.txt" 2>"$DH_DIR/err.txt"; then rc=0; else rc=$?; fi
    dh_expect_eq "exit status of $command" 1 "$rc"
    grep -q "^dunghanctl: deadline did not answer at ipc://.*deadline.api" "$DH_DIR/err.txt" \
        || dh_fail "$command: deadline not named: $(cat "$DH_DIR/err.txt")"
    [ ! -s "$DH_DIR/out.txt" ] || dh_fail "$command printed on stdout: $(cat "$DH_DIR/out.txt")"
done
for command in "stats --from 2025-04-01" "stats --from 2025-04-01 --to 2025-04-30 --json --csv" "clock" \
               "overdue --limit many" "apology draft X-1 --reason late" "apology refuse X-1" "overdue --csv"; do
    # shellcheck disable=SC2086
    if dh_ctl $command --timeout 300 >/dev/null 2>"$DH_DIR/err.txt"; then rc=0; else rc=$?; fi
    dh_expect_eq "exit status of $command" 2 "$rc"
    [ -s "$DH_DIR/err.txt" ] || dh_fail "$command: no words on stderr"
done

# (h) With a deadline daemon deployed, time set moves its clock too, and
# its replies print for people: overdue one line an entry, stats the
# figures of Biểu 06 as labelled lines or CSV (the columns the JSON names).
# Intake and assign tell it only when their configuration names it as
# they start (assign is down since (f)).
dh_stop intake
printf 'deadline\n' >>"$DH_CONFIG"
dh_start intake "$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar"
dh_start assign "$DH_BIN/dunghan-assign"
dh_start deadline "$DH_BIN/dunghan-deadline" --set calendar="$DH_ROOT/deploy/calendar"
# Monday 2 March 2026, 09:00: 24 working hours end Thursday 09:00.
dh_ctl time set "2026-03-02 09:00" >"$DH_DIR/out.txt" || dh_fail "time set with deadline"
grep -q '^deadline  2026-03-02T09:00:00+07:00$' "$DH_DIR/out.txt" || dh_fail "deadline's clock: $(cat "$DH_DIR/out.txt")"
expect_now "time set with deadline" "$(utc_ms "2026-03-02 09:00")" intake assign deadline
code=$(dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
                   --name "Nguyễn Thị Lan" --id 001199003456)" code)
# within WHAT COMMAND...: until COMMAND succeeds, 5 s at most.
within() {
    local what=$1 try; shift
    for try in $(seq 1 100); do "$@" && return 0; sleep 0.05; done
    dh_fail "$what after $try tries"
}
held() { [ -n "$(dh_ctl clock "$code" --json 2>/dev/null | jq -r '.clocks[0].clock.holder // empty')" ]; }
overdue_count() { [ "$(dh_ctl overdue --json | jq '.entries | length')" = "$1" ]; }
within "the deadline daemon never heard of $code" held
dh_ctl time set "2026-03-05 10:00" >/dev/null
within "$code never overdue" overdue_count 1
# The columns of the text are the fields of the JSON, aligned.
dh_expect_eq "overdue" "$(dh_ctl overdue --json | jq -r '.entries[0] | "\(.item)  \(.unit)  \(.holder)  \(.node)  \(.due_at_local)  \(.working_days) working days over"')" \
    "$(dh_ctl overdue)"
dh_expect_eq "overdue's due time" "2026-03-05T09:00:00+07:00 0.125" "$(dh_ctl overdue | awk '{ print $5, $6 }')"
dh_expect_eq "due soon" "" "$(dh_ctl due-soon --unit BD.TP)"
period="--unit BD.TP --from 2026-03-01 --to 2026-03-31"
# shellcheck disable=SC2086
dh_ctl stats $period >"$DH_DIR/stats.txt" || dh_fail "stats"
# shellcheck disable=SC2086
json=$(dh_ctl stats $period --json)
grep -q "^New, in person (Tiếp nhận trực tiếp)  *$(dh_field "$json" received_in_person)\$" "$DH_DIR/stats.txt" \
    && grep -q "^  overdue (Quá hạn)  *$(dh_field "$json" open_overdue)\$" "$DH_DIR/stats.txt" \
    && grep -q '^Unit (Đơn vị)  *BD.TP$' "$DH_DIR/stats.txt" || dh_fail "stats: $(cat "$DH_DIR/stats.txt")"
dh_expect_eq "stats lines" 24 "$(wc -l <"$DH_DIR/stats.txt")"
# Aligned in characters, not bytes: every value starts in the same column.
dh_expect_eq "one column for the values" 1 \
    "$(perl -CSD -ne 's/\S+\n$//; print length, "\n"' "$DH_DIR/stats.txt" | sort -u | wc -l)"
# shellcheck disable=SC2086
dh_ctl stats $period --csv >"$DH_DIR/stats.csv" || dh_fail "stats --csv"
dh_expect_eq "CSV header" "unit,from,to,carried_over,received_online,received_in_person,received_post,received,finished,\
finished_early,finished_on_time,finished_late,in_progress,open_within,open_overdue,paused,withdrawn,not_accepted,refused,\
apologies,supplements,sent_back_twice,on_time_rate,progress_points" "$(head -n 1 "$DH_DIR/stats.csv")"
dh_expect_eq "CSV lines" 2 "$(wc -l <"$DH_DIR/stats.csv")"
dh_expect_eq "CSV values are the JSON's" \
    "$(printf '%s' "$json" | jq -r --arg header "$(head -n 1 "$DH_DIR/stats.csv")" \
       '. as $r | $header | split(",") | map($r[.] | if type == "number" then (. * 100 | round) else . end) | join(",")')" \
    "$(tail -n 1 "$DH_DIR/stats.csv" | awk -F, -v OFS=, '{ for (i = 4; i <= NF; i++) $i = sprintf ("%.0f", $i * 100); print }')"
# shellcheck disable=SC2086
dh_expect_eq "recount --csv" "$(head -n 1 "$DH_DIR/stats.csv")" "$(dh_ctl recount $period --csv | head -n 1)"
dh_ctl recompute >"$DH_DIR/out.txt" || dh_fail "recompute"
grep -q '^[0-9]* open clocks recomputed, 0 moved (0 later, 0 earlier)$' "$DH_DIR/out.txt" \
    || dh_fail "recompute: $(cat "$DH_DIR/out.txt")"

# (i) --help names the new commands.
dh_ctl --help >"$DH_DIR/out.txt"
for command in "clock " "stats " "recount " "overdue " "due-soon " "recompute " "apology draft " \
               "apology approve " "apology refuse " "time advance " "time set "; do
    grep -q "^  $command" "$DH_DIR/out.txt" || dh_fail "--help does not list $command"
done
dh_ctl stats --help | grep -q -- '--csv' || dh_fail "stats --help does not say --csv"
dh_ctl apology --help | grep -q '^  apology refuse ' || dh_fail "apology --help does not list apology refuse"
echo "time set and advance moved every clock together, or one; bad input refused; deadline named when absent"
