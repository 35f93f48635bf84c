# Sourced by run.sh and sample.sh: config_path KEY prints a top-level path
# of $DUNGHAN_CONFIG as the daemons read it (a relative value is taken
# from the configuration file's folder), or nothing when the key is absent.
config_path() {
    local value
    value=$(sed -n "s/^$1 *= *//p" "$DUNGHAN_CONFIG")
    case "$value" in
        "" | /*) printf '%s' "$value" ;;
        *) realpath -m "$(dirname "$DUNGHAN_CONFIG")/$value" ;;
    esac
}
