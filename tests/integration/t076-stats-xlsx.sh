# dunghanctl stats --xlsx FILE: the figures of --json written as Biểu 06
# in an Excel workbook, read back with Python's standard library (an
# .xlsx is a zip of XML): the merged header groups are there and every
# value cell equals the JSON reply.
. tests/lib.sh
dh_with_deadline
dh_start_work
dh_start_deadline
dh_ctl catalog import "$DH_ROOT/deploy/catalog/steps.csv" >/dev/null
# Monday 2 March 2026, 09:00: 24 working hours end Thursday 09:00.
dh_ctl time set "2026-03-02 09:00" >/dev/null

submit() {
    dh_field "$(DUNGHAN_ACTOR=bd.mc dh_ctl submit --json --procedure 1.003583.000.00.00.H26 \
                --name "Nguyễn Thị Lan" --id 001199003456 "$@")" code
}

# Early, on time and late, one left open past its due time, one received
# online and open within it.
early=$(submit); on_time=$(submit); late=$(submit); stuck=$(submit)
for code in $early $on_time $late $stuck; do dh_wait_clock "$code" open_step "$code|s|0001"; done
dh_ctl time set "2026-03-03 09:00" >/dev/null
dh_resolve "$early"
online=$(submit --channel online)
dh_wait_clock "$online" open_step "$online|s|0001"
dh_wait_clock "$early" outcome EARLY
dh_ctl time set "2026-03-05 08:30" >/dev/null
dh_resolve "$on_time"
dh_wait_clock "$on_time" outcome ON_TIME
dh_ctl time set "2026-03-05 10:00" >/dev/null
dh_wait_clock "$stuck" breached true
dh_resolve "$late"
dh_wait_clock "$late" outcome LATE

period="--unit BD.TP --from 2026-03-01 --to 2026-03-31"
json=$(dh_ctl stats $period --json)
dh_expect_eq "the figures" "5 1 4 3 2 1 1" \
    "$(printf '%s' "$json" | jq -r '"\(.received) \(.received_online) \(.received_in_person) \(.finished) \(.in_progress) \(.open_within) \(.open_overdue)"')"
dh_ctl stats $period --xlsx "$DH_DIR/bieu06.xlsx" || dh_fail "stats --xlsx failed"
printf '%s' "$json" >"$DH_DIR/stats.json"

/usr/bin/python3 - "$DH_DIR/bieu06.xlsx" "$DH_DIR/stats.json" <<'EOF' || dh_fail "the workbook does not hold the figures"
import json, re, sys, zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
book = zipfile.ZipFile(sys.argv[1])
stats = json.load(open(sys.argv[2]))
strings = [
    "".join(t.text or "" for t in si.iter("{%s}t" % NS["m"]))
    for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", NS)
]

def sheet(name):
    root = ET.fromstring(book.read(name))
    cells = {}
    for c in root.iter("{%s}c" % NS["m"]):
        v = c.find("m:v", NS)
        if v is None:
            continue
        cells[c.get("r")] = strings[int(v.text)] if c.get("t") == "s" else float(v.text)
    merged = {m.get("ref") for m in root.iter("{%s}mergeCell" % NS["m"])}
    return cells, merged

failures = []
def expect(what, want, got):
    if isinstance(want, (int, float)) and isinstance(got, float):
        ok = abs(want - got) < 1e-9
    else:
        ok = want == got
    if not ok:
        failures.append("%s: expected %r, got %r" % (what, want, got))

cells, merged = sheet("xl/worksheets/sheet1.xml")
# The title and the header groups, each merged over its columns.
headers = {
    "A3:A5": "Đơn vị",
    "B3:E3": "Số hồ sơ nhận giải quyết",
    "B4:B5": "Tổng số", "C4:D4": "Trong kỳ", "E4:E5": "Từ kỳ trước",
    "F3:I3": "Số hồ sơ đã giải quyết",
    "F4:F5": "Tổng số", "G4:G5": "Trước hạn", "H4:H5": "Đúng hạn", "I4:I5": "Quá hạn",
    "J3:L3": "Số hồ sơ đang giải quyết",
    "J4:J5": "Tổng số", "K4:K5": "Trong hạn", "L4:L5": "Quá hạn",
    "M3:M5": "Tỷ lệ đúng hạn (%)",
}
for ref, text in headers.items():
    expect("merged " + ref, True, ref in merged)
    expect("heading " + ref, text, cells.get(ref.split(":")[0]))
expect("title merged", True, "A1:N1" in merged)
expect("title", True, "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT" in cells.get("A1", ""))
expect("period", True, "2026-03-01" in cells.get("A2", "") and "2026-03-31" in cells.get("A2", ""))
expect("not merged under Trong kỳ", "Trực tuyến", cells.get("C5"))
expect("not merged under Trong kỳ", "Trực tiếp và qua bưu chính", cells.get("D5"))
expect("N3:N5 merged", True, "N3:N5" in merged)
# The value row: each column what the JSON says.
values = {
    "A6": stats["unit"],
    "B6": stats["received"], "C6": stats["received_online"],
    "D6": stats["received_in_person"] + stats["received_post"], "E6": stats["carried_over"],
    "F6": stats["finished"], "G6": stats["finished_early"], "H6": stats["finished_on_time"],
    "I6": stats["finished_late"],
    "J6": stats["in_progress"], "K6": stats["open_within"], "L6": stats["open_overdue"],
    "M6": stats["on_time_rate"], "N6": stats["progress_points"],
}
for ref, want in values.items():
    expect("cell " + ref, want, cells.get(ref))

# The second sheet: every figure of --csv, one a row (field, ..., value).
cells, _ = sheet("xl/worksheets/sheet2.xml")
rows = {}
for ref, value in cells.items():
    column, row = re.match(r"([A-Z]+)(\d+)", ref).groups()
    rows.setdefault(int(row), {})[column] = value
fields = {r["A"]: r.get("D", "") for n, r in rows.items() if n > 1}
for name, want in stats.items():
    expect("figure " + name, want, fields.get(name))
expect("figures listed", len(stats), len(fields))

for failure in failures:
    print(failure)
sys.exit(1 if failures else 0)
EOF

# Wrong usage is refused before anything is asked; a file it cannot write, after.
set +e
dh_ctl stats $period --xlsx >/dev/null 2>&1; dh_expect_eq "--xlsx without a file" 2 $?
dh_ctl stats $period --xlsx "$DH_DIR/x.xlsx" --json >/dev/null 2>&1; dh_expect_eq "--xlsx with --json" 2 $?
dh_ctl stats $period --csv --xlsx "$DH_DIR/x.xlsx" >/dev/null 2>&1; dh_expect_eq "--csv with --xlsx" 2 $?
dh_ctl stats $period --xlsx "$DH_DIR/no/such/folder.xlsx" 2>"$DH_DIR/err"; dh_expect_eq "an unwritable file" 1 $?
set -e
grep -q "cannot write $DH_DIR/no/such/folder.xlsx" "$DH_DIR/err" || dh_fail "the refusal says: $(cat "$DH_DIR/err")"
dh_ctl stats --help | grep -q -- "--xlsx FILE" || dh_fail "stats --help does not name --xlsx FILE"
