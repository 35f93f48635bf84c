#!/usr/bin/env bash
# `make install`: the daemons, dunghanctl, the systemd units, the
# configuration and the working calendar, for a server.
#   PREFIX      programs, samples, docs      (default /usr/local)
#   SYSCONFDIR  configuration and calendar   (default /etc)
#   UNITDIR     systemd units                (default /etc/systemd/system)
#   DESTDIR     stage everything under this folder (packaging, tests)
#   OPERATOR    the operator's staff id, named in the first certificate
#               for dunghanctl (default ops, the sample's operator)
# The configuration, the calendar and the certificates are the
# department's own: an existing one is kept, never overwritten.
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
UNITDIR=${UNITDIR:-/etc/systemd/system}
DESTDIR=${DESTDIR:-}
OPERATOR=${OPERATOR:-ops}
BINDIR=$PREFIX/bin
DATADIR=$PREFIX/share/dunghan
DOCDIR=$PREFIX/share/doc/dunghan
subst() {
    sed -e "s|@BINDIR@|$BINDIR|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" -e "s|@DOCDIR@|$DOCDIR|g" \
        -e "s|@OPERATOR@|$OPERATOR|g" "$1"
}
for program in "$BUILD"/bin/*; do
    [ -x "$program" ] || { echo "install: nothing built in $BUILD/bin (run make first)" >&2; exit 1; }
done
install -d "$DESTDIR$BINDIR" "$DESTDIR$UNITDIR" "$DESTDIR$DATADIR" "$DESTDIR$DOCDIR" \
           "$DESTDIR$SYSCONFDIR/dunghan"
install -m 0755 "$BUILD"/bin/* "$DESTDIR$BINDIR/"
subst deploy/systemd/dunghan@.service.in >"$DESTDIR$UNITDIR/dunghan@.service"
install -m 0644 deploy/systemd/dunghan.target "$DESTDIR$UNITDIR/"
rm -rf "$DESTDIR$DATADIR/catalog" "$DESTDIR$DATADIR/org"
cp -r deploy/catalog deploy/org "$DESTDIR$DATADIR/"
install -m 0644 README.md "$DESTDIR$DOCDIR/"
config=$DESTDIR$SYSCONFDIR/dunghan/dunghan.cfg
if [ -e "$config" ]; then
    echo "install: keeping the existing $config"
else
    subst deploy/dunghan-server.cfg.in >"$config"
    chmod 0644 "$config"
fi
calendar=$DESTDIR$SYSCONFDIR/dunghan/calendar
if [ -e "$calendar" ]; then
    echo "install: keeping the existing $calendar"
else
    cp -r deploy/calendar "$calendar"
fi
# A certificate for each daemon and for the operator, where the
# configuration's `certs` points. The daemons' secret halves are the
# dunghan user's alone; the operator's is readable by the dunghan group
# (who may use dunghanctl). Never replaced: a new key would lock out
# whoever holds the old one.
certs=$DESTDIR$SYSCONFDIR/dunghan/certs
install -d -m 0755 "$certs"
owner=""
getent passwd dunghan >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && owner=yes
for program in "$BUILD"/bin/dunghan-*; do
    name=${program##*/dunghan-}
    if [ -e "$certs/$name.cert" ]; then
        echo "install: keeping the existing certificate $certs/$name.cert"
        continue
    fi
    "$BUILD/bin/dunghanctl" cert new --name "$name" --role service --dir "$certs" >/dev/null
    if [ -n "$owner" ]; then chown dunghan:dunghan "$certs/$name.cert_secret"; fi
done
# The gateway acts for the staff signed in to it with a second
# certificate, role gateway.
if [ -x "$BUILD/bin/dunghan-gateway" ] && [ ! -e "$certs/gateway-web.cert" ]; then
    "$BUILD/bin/dunghanctl" cert new --name gateway-web --role gateway --dir "$certs" >/dev/null
    if [ -n "$owner" ]; then chown dunghan:dunghan "$certs/gateway-web.cert_secret"; fi
fi
if [ -e "$certs/$OPERATOR.cert" ]; then
    echo "install: keeping the existing certificate $certs/$OPERATOR.cert"
else
    "$BUILD/bin/dunghanctl" cert new --name "$OPERATOR" --role operator --dir "$certs" >/dev/null
    if [ -n "$owner" ]; then
        chgrp dunghan "$certs/$OPERATOR.cert_secret" && chmod 0640 "$certs/$OPERATOR.cert_secret"
    fi
fi
if [ -z "$owner" ] && [ -z "$DESTDIR" ]; then
    echo "install: no dunghan user yet: once it exists, give it the daemons' secret certificates"
    echo "  (chown dunghan: $certs/<daemon>.cert_secret) and its group the operator's"
    echo "  (chgrp dunghan $certs/$OPERATOR.cert_secret && chmod 0640 $certs/$OPERATOR.cert_secret)"
fi
echo "installed: programs in $BINDIR, configuration and calendar in $SYSCONFDIR/dunghan,"
echo "  units in $UNITDIR, sample catalog and org chart in $DATADIR,"
echo "  certificates in $SYSCONFDIR/dunghan/certs (dunghanctl speaks as $OPERATOR)"
echo "next (README, 'Running on a server'): create the dunghan user, then"
echo "  systemctl daemon-reload && systemctl enable --now dunghan.target"
