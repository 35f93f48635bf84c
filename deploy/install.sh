#!/usr/bin/env bash
# `make install`: the daemons, dunghanctl, the systemd units, the
# configuration and the working calendar, for a server.
#   PREFIX      programs, samples, docs      (default /usr/local)
#   SYSCONFDIR  configuration and calendar   (default /etc)
#   UNITDIR     systemd units                (default /etc/systemd/system)
#   DESTDIR     stage everything under this folder (packaging, tests)
# The configuration and the calendar are the department's own: an existing
# one is kept, never overwritten.
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
UNITDIR=${UNITDIR:-/etc/systemd/system}
DESTDIR=${DESTDIR:-}
BINDIR=$PREFIX/bin
DATADIR=$PREFIX/share/dunghan
DOCDIR=$PREFIX/share/doc/dunghan
subst() {
    sed -e "s|@BINDIR@|$BINDIR|g" -e "s|@SYSCONFDIR@|$SYSCONFDIR|g" -e "s|@DOCDIR@|$DOCDIR|g" "$1"
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
echo "installed: programs in $BINDIR, configuration and calendar in $SYSCONFDIR/dunghan,"
echo "  units in $UNITDIR, sample catalog and org chart in $DATADIR"
echo "next (README, 'Running on a server'): create the dunghan user, then"
echo "  systemctl daemon-reload && systemctl enable --now dunghan.target"
