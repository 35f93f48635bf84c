# The small things of dunghanctl: bad option values are refused on
# stderr; a missing configuration is named on stderr; audit verify fails
# and health fail when a configured daemon is down and say which is down
# and which is not configured; a first word alone lists its commands;
# relative paths in a configuration file are taken from its folder.
. tests/lib.sh
dh_start_work
ctl="$DH_BIN/dunghanctl"

# (a) --timeout takes milliseconds, a whole number above 0.
for bad in -5 soon 0 12x ""; do
    if dh_ctl status X-1 --timeout "$bad" >"$DH_DIR/out.txt" 2>"$DH_DIR/err.txt"; then
        dh_fail "--timeout '$bad' was taken"
    else
        rc=$?
    fi
    dh_expect_eq "exit status of --timeout '$bad'" 2 "$rc"
    grep -q -- "--timeout wants milliseconds" "$DH_DIR/err.txt" || dh_fail "--timeout '$bad': no words on stderr"
    [ ! -s "$DH_DIR/out.txt" ] || dh_fail "--timeout '$bad' printed on stdout"
done
out=$(dh_ctl ping intake --timeout 2000) || dh_fail "--timeout 2000 refused"
dh_ctl status X-1 --key "" 2>"$DH_DIR/err.txt" && dh_fail "an empty --key was taken"
grep -q -- "--key wants" "$DH_DIR/err.txt" || dh_fail "an empty --key: no words"

# (b) A configuration file that is not there is named on stderr.
if "$ctl" status X-1 --config "$DH_DIR/missing.cfg" >"$DH_DIR/out.txt" 2>"$DH_DIR/err.txt"; then
    dh_fail "a missing configuration was taken"
fi
grep -q "cannot read $DH_DIR/missing.cfg" "$DH_DIR/err.txt" || dh_fail "the missing file is not named on stderr"
DUNGHAN_CONFIG="$DH_DIR/missing.cfg" "$ctl" audit verify >/dev/null 2>"$DH_DIR/err.txt" && dh_fail "audit verify without its file"
grep -q "missing.cfg" "$DH_DIR/err.txt" || dh_fail "audit verify does not name the missing file"

# (c) audit verify: every configured daemon up, exit 0; one down, exit 1
# naming it; a daemon not configured is said to be so.
dh_ctl audit verify >"$DH_DIR/out.txt" || dh_fail "audit verify with every daemon up"
dh_ctl health >"$DH_DIR/out.txt" || dh_fail "health with every daemon up"
grep -q '^intake    up, version ' "$DH_DIR/out.txt" && grep -q '^assign    up, version ' "$DH_DIR/out.txt" \
    || dh_fail "health does not say both are up: $(cat "$DH_DIR/out.txt")"
dh_stop assign
if dh_ctl health >"$DH_DIR/out.txt" 2>"$DH_DIR/err.txt"; then dh_fail "health with assign down"; fi
grep -q '^assign    down' "$DH_DIR/out.txt" || dh_fail "health does not report assign down"
grep -q '^intake    up' "$DH_DIR/out.txt" || dh_fail "health does not report intake up"
if dh_ctl health --service deadline >"$DH_DIR/out.txt" 2>&1; then dh_fail "health of an unconfigured daemon"; fi
grep -q '^deadline  not configured' "$DH_DIR/out.txt" || dh_fail "health: deadline not reported as not configured"
if dh_ctl audit verify >"$DH_DIR/out.txt" 2>"$DH_DIR/err.txt"; then dh_fail "audit verify with assign down"; fi
grep -q '^intake    ok' "$DH_DIR/out.txt" || dh_fail "intake not verified"
grep -q '^assign    down' "$DH_DIR/out.txt" || dh_fail "assign not reported down: $(cat "$DH_DIR/out.txt")"
grep -q '1 of 2 daemons did not answer' "$DH_DIR/err.txt" || dh_fail "no summary on stderr"
if dh_ctl audit verify --service deadline >"$DH_DIR/out.txt" 2>&1; then dh_fail "an unconfigured daemon verified"; fi
grep -q '^deadline  not configured' "$DH_DIR/out.txt" || dh_fail "deadline not reported as not configured"

# (e) A first word alone lists the commands it opens.
"$ctl" step --help >"$DH_DIR/out.txt" || dh_fail "step --help"
grep -q '^  step start ' "$DH_DIR/out.txt" && grep -q '^  step complete ' "$DH_DIR/out.txt" \
    || dh_fail "step --help does not list step start and step complete"
if "$ctl" step >/dev/null 2>"$DH_DIR/err.txt"; then dh_fail "step alone succeeded"; else rc=$?; fi
dh_expect_eq "exit status of step alone" 2 "$rc"
grep -q '^  step start ' "$DH_DIR/err.txt" || dh_fail "step alone does not list its commands"
for word in supplement catalog org audit; do
    "$ctl" "$word" --help | grep -q "^  $word " || dh_fail "$word --help lists nothing"
done
# (d) Relative paths in a configuration file are taken from the file's
# folder: a daemon started from elsewhere finds its store, certificates
# and calendar.
mkdir -p "$DH_DIR/site/conf" "$DH_DIR/elsewhere"
cp -r "$DH_ROOT/deploy/calendar" "$DH_DIR/site/conf/cal"
printf 'run_dir = ../run\ntest_clock = 1\ncerts = %s\nctl\n    cert = %s\nintake\n    calendar = cal\n' \
    "$DH_DIR/certs" "$DH_DIR/certs/ops.cert" >"$DH_DIR/site/conf/dunghan.cfg"
( cd "$DH_DIR/elsewhere" && exec "$DH_BIN/dunghan-intake" --config "$DH_DIR/site/conf/dunghan.cfg" \
      --set ready_file="$DH_DIR/site.ready" ) >"$DH_DIR/site.log" 2>&1 &
echo $! >"$DH_DIR/site.pid"
DH_NAMES="$DH_NAMES site"
dh_wait_ready site      # intake exits 78 when its calendar folder does not load
[ -d "$DH_DIR/site/run/intake.lmdb" ] || dh_fail "the store is not in the folder the configuration names"
( cd / && "$ctl" health --service intake --config "$DH_DIR/site/conf/dunghan.cfg" ) >"$DH_DIR/out.txt" \
    || dh_fail "dunghanctl from / does not find intake: $(cat "$DH_DIR/out.txt")"
dh_stop site

# A ready file left by a killed daemon is not taken for a live one: the
# next start removes it before it is ready, and writes its own.
old_pid=$(cat "$DH_DIR/intake.pid")
dh_kill intake
grep -q "^pid=$old_pid\$" "$DH_DIR/intake.ready" || dh_fail "kill -9 left no ready file: nothing to check"
"$DH_BIN/dunghan-intake" --set calendar="$DH_ROOT/deploy/calendar" >>"$DH_DIR/intake.log" 2>&1 &
echo $! >"$DH_DIR/intake.pid"
for i in $(seq 1 100); do
    grep -q "^pid=$(cat "$DH_DIR/intake.pid")\$" "$DH_DIR/intake.ready" 2>/dev/null && break
    sleep 0.05
done
grep -q "removing the ready file of process $old_pid, which is gone" "$DH_DIR/intake.log" \
    || dh_fail "the stale ready file was not removed at start"
grep -q "^pid=$(cat "$DH_DIR/intake.pid")\$" "$DH_DIR/intake.ready" || dh_fail "the new ready file is not the new process's"

echo "options, configuration, daemons down and command words: each said plainly"
