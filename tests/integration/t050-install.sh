# `make install` staged under a folder (DESTDIR): programs, systemd units
# that systemd accepts, the server configuration and calendar, samples.
# The installed daemons then run from the installed configuration.
. tests/lib.sh
ROOT="$DH_DIR/root"
PREFIX=/usr/local SYSCONFDIR=/etc UNITDIR=/etc/systemd/system DESTDIR="$ROOT" \
    deploy/install.sh "$BUILD" >"$DH_DIR/install.out" || dh_fail "install: $(cat "$DH_DIR/install.out")"
for path in usr/local/bin/dunghan-intake usr/local/bin/dunghan-assign usr/local/bin/dunghanctl; do
    [ -x "$ROOT/$path" ] || dh_fail "$path not installed"
done
for path in etc/dunghan/dunghan.cfg etc/dunghan/calendar/hours.cfg etc/systemd/system/dunghan.target \
            usr/local/share/dunghan/catalog/procedures.csv usr/local/share/dunghan/org/staff.csv \
            usr/local/share/doc/dunghan/README.md; do
    [ -f "$ROOT/$path" ] || dh_fail "$path not installed"
done
unit="$ROOT/etc/systemd/system/dunghan@.service"
grep -q '^ExecStart=/usr/local/bin/dunghan-%i --config /etc/dunghan/dunghan.cfg$' "$unit" \
    || dh_fail "unit's ExecStart: $(grep ExecStart "$unit")"
! grep -q '@[A-Z]*@' "$unit" "$ROOT/etc/dunghan/dunghan.cfg" || dh_fail "a path was left unfilled"

# systemd reads the units as it would on the server (its own units beside them).
if command -v systemd-analyze >/dev/null && [ -d /usr/lib/systemd/system ]; then
    mkdir -p "$ROOT/usr/lib/systemd" && cp -a /usr/lib/systemd/system "$ROOT/usr/lib/systemd/"
    systemd-analyze verify --root="$ROOT" dunghan@intake.service dunghan@assign.service \
        dunghan@gateway.service dunghan.target \
        >"$DH_DIR/verify.out" 2>&1 || dh_fail "systemd-analyze verify: $(cat "$DH_DIR/verify.out")"
    [ ! -s "$DH_DIR/verify.out" ] || dh_fail "systemd-analyze verify warned: $(cat "$DH_DIR/verify.out")"
else
    echo "(systemd-analyze not here: units not verified)"
fi

# A certificate for each daemon and for the operator, each secret half
# readable by its owner alone.
CERTS="$ROOT/etc/dunghan/certs"
for name in intake assign deadline notify gateway gateway-web ops; do
    [ -f "$CERTS/$name.cert" ] && [ -f "$CERTS/$name.cert_secret" ] || dh_fail "no certificate of $name"
done
dh_expect_eq "a secret's mode" 600 "$(stat -c %a "$CERTS/intake.cert_secret")"
grep -q 'role = "service"' "$CERTS/assign.cert" || dh_fail "assign's certificate: $(cat "$CERTS/assign.cert")"
grep -q 'role = "operator"' "$CERTS/ops.cert" || dh_fail "the operator's certificate: $(cat "$CERTS/ops.cert")"
grep -q 'role = "gateway"' "$CERTS/gateway-web.cert" \
    || dh_fail "the gateway's certificate for its users: $(cat "$CERTS/gateway-web.cert")"
grep -q '^Wants=.*dunghan@gateway.service' "$ROOT/etc/systemd/system/dunghan.target" \
    || dh_fail "dunghan.target does not start the gateway"
keys=$(cat "$CERTS"/*.cert_secret | sha256sum)

# A second install keeps the department's configuration, calendar and keys.
echo "# edited by the department" >>"$ROOT/etc/dunghan/dunghan.cfg"
PREFIX=/usr/local DESTDIR="$ROOT" deploy/install.sh "$BUILD" >"$DH_DIR/install2.out"
grep -q "edited by the department" "$ROOT/etc/dunghan/dunghan.cfg" || dh_fail "reinstall overwrote the configuration"
grep -q "keeping the existing" "$DH_DIR/install2.out" || dh_fail "reinstall did not say it kept the configuration"
dh_expect_eq "reinstall kept every key" "$keys" "$(cat "$CERTS"/*.cert_secret | sha256sum)"

# The installed programs run from the installed configuration (only the
# folders moved under the staging root, and the test clock on). dunghanctl
# has no --set: it gets a configuration naming the same folder and daemons.
SRV="$DH_DIR/srv"
mkdir -p "$SRV"
installed="$ROOT/etc/dunghan/dunghan.cfg"
common="--config $installed --set run_dir=$SRV --set test_clock=1 --set certs=$CERTS"
dh_start intake "$ROOT/usr/local/bin/dunghan-intake" $common --set calendar="$ROOT/etc/dunghan/calendar" \
    --set ready_file="$DH_DIR/intake.ready"
dh_start assign "$ROOT/usr/local/bin/dunghan-assign" $common --set ready_file="$DH_DIR/assign.ready"
printf 'run_dir = %s\ncerts = %s\nintake\nassign\nctl\n    cert = %s/ops.cert\n' "$SRV" "$CERTS" "$CERTS" >"$DH_DIR/ctl.cfg"
# As the installed operator, or as the person DUNGHAN_ACTOR names, with a
# certificate added to the installed folder as an administrator would.
ctl() {
    local cert="$CERTS/${DUNGHAN_ACTOR:-ops}.cert"
    [ -f "$cert" ] || "$ROOT/usr/local/bin/dunghanctl" cert new --name "$DUNGHAN_ACTOR" --role staff \
        --dir "$CERTS" >/dev/null
    DUNGHAN_CERT=$cert "$ROOT/usr/local/bin/dunghanctl" "$@" --config "$DH_DIR/ctl.cfg"
}
ctl catalog import "$ROOT/usr/local/share/dunghan/catalog/procedures.csv" >/dev/null
ctl org import units "$ROOT/usr/local/share/dunghan/org/units.csv" >/dev/null
ctl org import staff "$ROOT/usr/local/share/dunghan/org/staff.csv" >/dev/null
ctl time set "2025-04-25 09:00" >/dev/null
code=$(DUNGHAN_ACTOR=bd.mc ctl submit --json --procedure 1.003583.000.00.00.H26 \
        --name "Đỗ Văn Cài" --id 001199005678 | jq -r .code)
[ -n "$code" ] && [ "$code" != null ] || dh_fail "no dossier submitted"
for i in $(seq 1 100); do
    [ "$(ctl status "$code" --json | jq -r .state)" = ASSIGNED ] && break; sleep 0.05
done
dh_expect_eq "routed by the installed assign" ASSIGNED "$(ctl status "$code" --json | jq -r .state)"
echo "installed: programs, units (verified), configuration kept on reinstall; dossier $code ran on the installed daemons"
