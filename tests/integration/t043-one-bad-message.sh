# Input is checked at the door and one bad message changes only itself.
# Text fields must be valid UTF-8 without control characters, within the
# field's limit in characters; a refusal reaches its own request at once,
# even one whose envelope did not decode; and bad commands in the same
# batch as good ones from other clients are refused alone while the good
# ones commit.
. tests/lib.sh
dh_start_work
submit() {
    DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 --id 001088001122 "$@"
}
records() {
    dh_ctl audit verify --service intake --json | jq '.[0].records'
}
# expect NAME WORDS -- submit arguments: refused with NAME, the text holding WORDS
expect() {
    local want=$1 words=$2 out; shift 3
    if out=$(submit "$@" 2>/dev/null); then dh_fail "'$*' succeeded"; fi
    dh_expect_eq "error of $*" "$want" "$(dh_field "$out" name)"
    case $(dh_field "$out" text) in *"$words"*) ;; *) dh_fail "'$*': text '$(dh_field "$out" text)' lacks '$words'" ;; esac
}
before=$(records)
expect E_INVALID "applicant.name: not valid UTF-8 at byte 2" -- --name "$(printf 'Le\xc3\x28')"
expect E_INVALID "applicant.name: not valid UTF-8 at byte 0" -- --name "$(printf '\xc0\xaf')"          # overlong
expect E_INVALID "applicant.name: not valid UTF-8 at byte 1" -- --name "$(printf 'A\xed\xa0\x80')"      # surrogate
expect E_INVALID "applicant.name: not valid UTF-8 at byte 0" -- --name "$(printf '\xf4\x90\x80\x80')"   # past U+10FFFF
expect E_INVALID "applicant.name: a control character (U+001B) at byte 2" -- --name "$(printf 'Le\033[2J')"
expect E_INVALID "applicant.name: a control character (U+0085) at byte 1" -- --name "$(printf 'A\xc2\x85')"
expect E_INVALID "applicant.name: a control character (U+000A)" -- --name "$(printf 'Le\nNam')"
expect E_INVALID "applicant.name: 201 characters, at most 200" -- --name "$(printf 'Ư%.0s' $(seq 1 201))"
expect E_INVALID "documents[1]: a control character (U+0007)" -- --name A --document ok --document "$(printf 'b\a')"
dh_expect_eq "nothing stored" "$before" "$(records)"
# Characters are counted, not bytes; an address takes line breaks.
name=$(printf 'Ư%.0s' $(seq 1 100))
[ -n "$(dh_field "$(submit --name "$name" --address "$(printf 'Số 1\r\nHà Nội')")" code)" ] \
    || dh_fail "100 letters of two bytes and a two-line address refused"

# A refusal of an envelope that did not decode reaches its request at once.
long=$(printf 'a%.0s' $(seq 1 100))
start=$(date +%s%N)
out=$(dh_ctl status X-1 --json --actor "$long" 2>/dev/null) && dh_fail "an over-long actor was taken"
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
dh_expect_eq "error of an over-long actor" E_TOO_BIG "$(dh_field "$out" name)"
[ "$elapsed" -lt 2000 ] || dh_fail "the refusal took $elapsed ms"
out=$(dh_ctl status X-1 --json --actor "$(printf 'ops\033[2J')" 2>/dev/null) && dh_fail "an escape in the actor was taken"
dh_expect_eq "error of an escape in the actor" E_INVALID "$(dh_field "$out" name)"

# One batch: ten clerks are connected when intake stops; eight send a
# good submit, one an envelope that does not decode (an over-long actor),
# one a name that is not UTF-8, and all arrive in the batch intake drains
# when it goes on. The eight commit, the two are refused alone.
before=$(records)
batches=$(dh_ctl service-status intake --json | jq '.batches')
DUNGHAN_CERT=$(dh_cert batchmix gateway) "$DH_HELPERS/batchmix" "ipc://$DH_DIR/intake.api" 8 "$DH_DIR" \
    >"$DH_DIR/mix.txt" 2>&1 &
mix=$!
for i in $(seq 1 100); do [ -f "$DH_DIR/batchmix.ready" ] && break; sleep 0.05; done
[ -f "$DH_DIR/batchmix.ready" ] || dh_fail "batchmix did not connect: $(cat "$DH_DIR/mix.txt")"
batches=$(dh_ctl service-status intake --json | jq '.batches')
kill -STOP "$(cat "$DH_DIR/intake.pid")"
touch "$DH_DIR/batchmix.go"
sleep 0.3
kill -CONT "$(cat "$DH_DIR/intake.pid")"
wait "$mix" || dh_fail "batchmix: $(cat "$DH_DIR/mix.txt")"
cat "$DH_DIR/mix.txt"
dh_expect_eq "good submits committed" 8 "$(grep -c '^ok [0-9]' "$DH_DIR/mix.txt")"
dh_expect_eq "distinct codes" 8 "$(grep '^ok ' "$DH_DIR/mix.txt" | sort -u | wc -l)"
grep -q '^refused E_TOO_BIG .*actor: 65 bytes, at most 64' "$DH_DIR/mix.txt" || dh_fail "the bad actor"
grep -q '^refused E_INVALID applicant.name: not valid UTF-8 at byte 4' "$DH_DIR/mix.txt" || dh_fail "the bad name"
dh_expect_eq "audit records" $((before + 8)) "$(records)"
used=$(( $(dh_ctl service-status intake --json | jq '.batches') - batches - 1 ))
# An idle daemon's housekeeping (every 200 ms) commits too, and counts.
echo "ten commands in $used batch(es), housekeeping included: eight committed, two refused alone"
[ "$used" -le 4 ] || dh_fail "the commands took $used batches: not one batch"
