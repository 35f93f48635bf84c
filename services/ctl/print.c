//  Replies printed for people: the figures of Biểu 06, the lists of
//  deadlines, what a recompute moved (see print.h).
#include <assert.h>
#include <inttypes.h>
#include <string.h>
#include <xlsxwriter.h>
#include "deadline.pb-c.h"
#include "dh_calendar.h"
#include "print.h"

//  Width of UTF-8 text on a terminal: one column a character (our labels
//  and names are precomposed), so Vietnamese aligns as ASCII does.
static size_t
s_width (const char *text)
{
    size_t width = 0;
    for (; *text; text++)
        width += ((unsigned char) *text & 0xC0) != 0x80;
    return width;
}

static void
s_pad (FILE *out, const char *text, size_t width)
{
    fputs (text, out);
    for (size_t used = s_width (text); used < width; used++)
        fputc (' ', out);
}

//  ---------------------------------------------------------------- stats

//  The columns of Biểu 06 (Circular 01/2020/TT-VPCP) in the order the
//  CSV gives them: each a StatsReport field, the CSV column of that name,
//  and a line of the text output. An indented label is part of the line
//  above it; received counts the carried over and the new, finished the
//  early, on time, late and refused.
static const struct {
    const char *field;
    const char *label;
    const char *term;
} s_stats_columns [] = {
    { "unit",               "Unit",                          "Đơn vị" },
    { "from",               "From",                          "Từ ngày" },
    { "to",                 "To",                            "Đến ngày" },
    { "carried_over",       "Carried over",                  "Số kỳ trước chuyển qua" },
    { "received_online",    "New, online",                   "Tiếp nhận trực tuyến" },
    { "received_in_person", "New, in person",                "Tiếp nhận trực tiếp" },
    { "received_post",      "New, by post",                  "Qua dịch vụ bưu chính" },
    { "received",           "To handle in all",              "Tổng số hồ sơ nhận giải quyết" },
    { "finished",           "Finished",                      "Số hồ sơ đã giải quyết" },
    { "finished_early",     "  early",                       "Trước hạn" },
    { "finished_on_time",   "  on time",                     "Đúng hạn" },
    { "finished_late",      "  late",                        "Quá hạn" },
    { "in_progress",        "In progress",                   "Số hồ sơ đang giải quyết" },
    { "open_within",        "  within the deadline",         "Trong hạn" },
    { "open_overdue",       "  overdue",                     "Quá hạn" },
    { "paused",             "Paused for papers",             "Tạm dừng chờ bổ sung" },
    { "withdrawn",          "Withdrawn",                     "Rút hồ sơ" },
    { "not_accepted",       "Not accepted",                  "Không tiếp nhận" },
    { "refused",            "Finished by a refusal",         "Từ chối giải quyết" },
    { "apologies",          "Apologies",                     "Văn bản xin lỗi" },
    { "supplements",        "Sent back for papers",          "Yêu cầu bổ sung" },
    { "sent_back_twice",    "Sent back twice or more",       "Yêu cầu bổ sung từ lần 2" },
    { "on_time_rate",       "On-time rate, %",               "Tỷ lệ đúng hạn" },
    { "progress_points",    "Progress points",               "Điểm tiến độ, QĐ 766" },
};
#define S_STATS_COLUMNS (sizeof s_stats_columns / sizeof s_stats_columns [0])

//  One figure of the report as text, by its field's name.
static void
s_stats_value (const ProtobufCMessage *report, const char *name, char *buffer, size_t size)
{
    const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name (report->descriptor,
                                                                                             name);
    assert (field);
    const void *value = (const char *) report + field->offset;
    switch (field->type) {
        case PROTOBUF_C_TYPE_UINT64: snprintf (buffer, size, "%" PRIu64, *(const uint64_t *) value); break;
        case PROTOBUF_C_TYPE_DOUBLE: snprintf (buffer, size, "%.2f", *(const double *) value); break;
        case PROTOBUF_C_TYPE_STRING: snprintf (buffer, size, "%s", *(char * const *) value); break;
        default: assert (false); *buffer = 0;
    }
}

void
ctl_print_stats (FILE *out, const ProtobufCMessage *reply)
{
    assert (reply->descriptor == &dh__stats_report__descriptor);
    char labels [S_STATS_COLUMNS][128];
    size_t width = 0;
    for (size_t i = 0; i < S_STATS_COLUMNS; i++) {
        snprintf (labels [i], sizeof labels [i], "%s (%s)", s_stats_columns [i].label, s_stats_columns [i].term);
        if (s_width (labels [i]) > width)
            width = s_width (labels [i]);
    }
    for (size_t i = 0; i < S_STATS_COLUMNS; i++) {
        char value [256];
        s_stats_value (reply, s_stats_columns [i].field, value, sizeof value);
        s_pad (out, labels [i], width + 2);
        fprintf (out, "%s\n", *value || strcmp (s_stats_columns [i].field, "unit")? value: "every unit");
    }
}

//  A CSV field: quoted when it holds a comma, a quote or a line break.
static void
s_csv_field (FILE *out, const char *text)
{
    if (!strpbrk (text, ",\"\r\n")) {
        fputs (text, out);
        return;
    }
    fputc ('"', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc ('"', out);
        fputc (*text, out);
    }
    fputc ('"', out);
}

void
ctl_print_stats_csv (FILE *out, const ProtobufCMessage *reply)
{
    assert (reply->descriptor == &dh__stats_report__descriptor);
    for (size_t i = 0; i < S_STATS_COLUMNS; i++)
        fprintf (out, "%s%s", i? ",": "", s_stats_columns [i].field);
    fputc ('\n', out);
    for (size_t i = 0; i < S_STATS_COLUMNS; i++) {
        char value [256];
        s_stats_value (reply, s_stats_columns [i].field, value, sizeof value);
        if (i)
            fputc (',', out);
        s_csv_field (out, value);
    }
    fputc ('\n', out);
}

//  ------------------------------------------------------- stats as xlsx

//  The form as the Government Office prints it: each column's group
//  (first header row, merged over the run of columns that share it), its
//  sub-group (second row, likewise), its own heading, and the StatsReport
//  fields summed in its cell ('+' between). Without a sub-group the
//  heading takes the last two header rows; without a group, all three.
static const struct {
    const char *group;
    const char *subgroup;
    const char *heading;
    const char *fields;
} s_form_columns [] = {
    { NULL,                       NULL,       "Đơn vị",                     "unit" },
    { "Số hồ sơ nhận giải quyết", NULL,       "Tổng số",                    "received" },
    { "Số hồ sơ nhận giải quyết", "Trong kỳ", "Trực tuyến",                 "received_online" },
    { "Số hồ sơ nhận giải quyết", "Trong kỳ", "Trực tiếp và qua bưu chính", "received_in_person+received_post" },
    { "Số hồ sơ nhận giải quyết", NULL,       "Từ kỳ trước",                "carried_over" },
    { "Số hồ sơ đã giải quyết",   NULL,       "Tổng số",                    "finished" },
    { "Số hồ sơ đã giải quyết",   NULL,       "Trước hạn",                  "finished_early" },
    { "Số hồ sơ đã giải quyết",   NULL,       "Đúng hạn",                   "finished_on_time" },
    { "Số hồ sơ đã giải quyết",   NULL,       "Quá hạn",                    "finished_late" },
    { "Số hồ sơ đang giải quyết", NULL,       "Tổng số",                    "in_progress" },
    { "Số hồ sơ đang giải quyết", NULL,       "Trong hạn",                  "open_within" },
    { "Số hồ sơ đang giải quyết", NULL,       "Quá hạn",                    "open_overdue" },
    { NULL,                       NULL,       "Tỷ lệ đúng hạn (%)",         "on_time_rate" },
    { NULL,                       NULL,       "Điểm tiến độ (QĐ 766/QĐ-TTg, trên 20)", "progress_points" },
};
#define S_FORM_COLUMNS (sizeof s_form_columns / sizeof s_form_columns [0])
#define S_FORM_TITLE 0          //  rows of the first sheet
#define S_FORM_PERIOD 1
#define S_FORM_HEADER 2         //  ... to S_FORM_HEADER + 2
#define S_FORM_VALUES 5
#define S_FORM_NOTE 7

//  A figure of the report as a number, by its field's name: false for
//  text. *whole is cleared for a figure with decimals (rates, points).
static bool
s_stats_number (const ProtobufCMessage *report, const char *name, double *number, bool *whole)
{
    const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field_by_name (report->descriptor,
                                                                                             name);
    assert (field);
    const void *value = (const char *) report + field->offset;
    if (field->type == PROTOBUF_C_TYPE_UINT64)
        *number = (double) *(const uint64_t *) value;
    else
    if (field->type == PROTOBUF_C_TYPE_DOUBLE) {
        *number = *(const double *) value;
        *whole = false;
    }
    else
        return false;
    return true;
}

static bool
s_same (const char *a, const char *b)
{
    return a && b && !strcmp (a, b);
}

//  The first error of a run of writes is the one worth saying.
static void
s_xlsx_keep (lxw_error *first, lxw_error error)
{
    if (*first == LXW_NO_ERROR)
        *first = error;
}

//  Text over a range of cells; one cell is written, not merged.
static lxw_error
s_xlsx_span (lxw_worksheet *sheet, lxw_row_t row, lxw_col_t col, lxw_row_t last_row, lxw_col_t last_col,
             const char *text, lxw_format *format)
{
    if (row == last_row && col == last_col)
        return worksheet_write_string (sheet, row, col, text, format);
    return worksheet_merge_range (sheet, row, col, last_row, last_col, text, format);
}

//  The last column of the run from first that shares its group (and, for
//  subgroup, its sub-group).
static lxw_col_t
s_form_run (size_t first, bool subgroup)
{
    size_t last = first;
    while (last + 1 < S_FORM_COLUMNS && s_same (s_form_columns [last + 1].group, s_form_columns [first].group)
    &&     (!subgroup || s_same (s_form_columns [last + 1].subgroup, s_form_columns [first].subgroup)))
        last++;
    return (lxw_col_t) last;
}

static void
s_form_sheet (lxw_workbook *book, lxw_worksheet *sheet, const ProtobufCMessage *reply, lxw_error *error)
{
    const Dh__StatsReport *report = (const Dh__StatsReport *) reply;
    lxw_format *title = workbook_add_format (book), *period = workbook_add_format (book),
               *header = workbook_add_format (book), *text = workbook_add_format (book),
               *count = workbook_add_format (book), *share = workbook_add_format (book);
    format_set_bold (title);
    format_set_font_size (title, 14);
    format_set_align (title, LXW_ALIGN_CENTER);
    format_set_italic (period);
    format_set_align (period, LXW_ALIGN_CENTER);
    format_set_bold (header);
    format_set_text_wrap (header);
    format_set_align (header, LXW_ALIGN_CENTER);
    format_set_align (header, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bg_color (header, 0xD9E1F2);
    lxw_format *framed [] = { header, text, count, share };
    for (size_t i = 0; i < sizeof framed / sizeof framed [0]; i++)
        format_set_border (framed [i], LXW_BORDER_THIN);
    format_set_num_format (count, "0");
    format_set_num_format (share, "0.00");
    lxw_col_t last = (lxw_col_t) (S_FORM_COLUMNS - 1);
    s_xlsx_keep (error, worksheet_set_column (sheet, 0, 0, 24, NULL));
    s_xlsx_keep (error, worksheet_set_column (sheet, 1, last, 12, NULL));
    s_xlsx_keep (error, worksheet_set_row (sheet, S_FORM_HEADER + 2, 45, NULL));
    s_xlsx_keep (error, s_xlsx_span (sheet, S_FORM_TITLE, 0, S_FORM_TITLE, last,
                                     "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", title));
    char line [256];
    snprintf (line, sizeof line, "Biểu 06, Thông tư 01/2020/TT-VPCP. Kỳ báo cáo: từ ngày %s đến ngày %s",
              report->from, report->to);
    s_xlsx_keep (error, s_xlsx_span (sheet, S_FORM_PERIOD, 0, S_FORM_PERIOD, last, line, period));
    for (size_t c = 0; c < S_FORM_COLUMNS; c++) {
        lxw_col_t col = (lxw_col_t) c;
        const char *group = s_form_columns [c].group, *subgroup = s_form_columns [c].subgroup;
        if (!group)
            s_xlsx_keep (error, s_xlsx_span (sheet, S_FORM_HEADER, col, S_FORM_HEADER + 2, col,
                                             s_form_columns [c].heading, header));
        else {
            if (!c || !s_same (s_form_columns [c - 1].group, group))
                s_xlsx_keep (error, s_xlsx_span (sheet, S_FORM_HEADER, col, S_FORM_HEADER, s_form_run (c, false),
                                                 group, header));
            if (!subgroup)
                s_xlsx_keep (error, s_xlsx_span (sheet, S_FORM_HEADER + 1, col, S_FORM_HEADER + 2, col,
                                                 s_form_columns [c].heading, header));
            else {
                if (!c || !s_same (s_form_columns [c - 1].subgroup, subgroup))
                    s_xlsx_keep (error, s_xlsx_span (sheet, S_FORM_HEADER + 1, col, S_FORM_HEADER + 1,
                                                     s_form_run (c, true), subgroup, header));
                s_xlsx_keep (error, worksheet_write_string (sheet, S_FORM_HEADER + 2, col,
                                                            s_form_columns [c].heading, header));
            }
        }
        //  The value: the sum of the figures named, or the unit.
        char fields [128];
        snprintf (fields, sizeof fields, "%s", s_form_columns [c].fields);
        double sum = 0, number;
        bool figure = true, whole = true;
        for (char *next, *name = strtok_r (fields, "+", &next); name && figure; name = strtok_r (NULL, "+", &next))
            if ((figure = s_stats_number (reply, name, &number, &whole)))
                sum += number;
        if (figure)
            s_xlsx_keep (error, worksheet_write_number (sheet, S_FORM_VALUES, col, sum, whole? count: share));
        else {
            char value [256];
            s_stats_value (reply, s_form_columns [c].fields, value, sizeof value);
            s_xlsx_keep (error, worksheet_write_string (sheet, S_FORM_VALUES, col, *value? value: "Tất cả đơn vị",
                                                        text));
        }
    }
    //  Why the finished do not add up, when they do not.
    if (report->refused) {
        snprintf (line, sizeof line, "Tổng số đã giải quyết gồm %" PRIu64 " hồ sơ từ chối giải quyết sau thẩm "
                  "định, không tính vào trước hạn, đúng hạn hay quá hạn.", report->refused);
        s_xlsx_keep (error, worksheet_write_string (sheet, S_FORM_NOTE, 0, line, NULL));
    }
}

int
ctl_save_stats_xlsx (const char *path, const ProtobufCMessage *reply)
{
    assert (reply->descriptor == &dh__stats_report__descriptor);
    lxw_workbook *book = workbook_new (path);
    lxw_worksheet *form = book? workbook_add_worksheet (book, "Biểu 06"): NULL;
    lxw_worksheet *figures = book? workbook_add_worksheet (book, "Số liệu"): NULL;
    if (!form || !figures) {
        fprintf (stderr, "dunghanctl: no memory to write %s\n", path);
        if (book)
            workbook_close (book);
        return -1;
    }
    lxw_error error = LXW_NO_ERROR;
    s_form_sheet (book, form, reply, &error);
    //  Every figure of --csv, one a row, for whoever reads the file by program.
    lxw_format *bold = workbook_add_format (book), *share = workbook_add_format (book);
    format_set_bold (bold);
    format_set_num_format (share, "0.00");
    s_xlsx_keep (&error, worksheet_set_column (figures, 0, 0, 20, NULL));
    s_xlsx_keep (&error, worksheet_set_column (figures, 1, 2, 32, NULL));
    const char *headings [] = { "field", "figure", "Chỉ tiêu", "value" };
    for (lxw_col_t c = 0; c < 4; c++)
        s_xlsx_keep (&error, worksheet_write_string (figures, 0, c, headings [c], bold));
    for (size_t i = 0; i < S_STATS_COLUMNS; i++) {
        lxw_row_t row = (lxw_row_t) (i + 1);
        const char *label = s_stats_columns [i].label;
        while (*label == ' ')
            label++;
        s_xlsx_keep (&error, worksheet_write_string (figures, row, 0, s_stats_columns [i].field, NULL));
        s_xlsx_keep (&error, worksheet_write_string (figures, row, 1, label, NULL));
        s_xlsx_keep (&error, worksheet_write_string (figures, row, 2, s_stats_columns [i].term, NULL));
        double number;
        bool whole = true;
        char value [256];
        if (s_stats_number (reply, s_stats_columns [i].field, &number, &whole))
            s_xlsx_keep (&error, worksheet_write_number (figures, row, 3, number, whole? NULL: share));
        else {
            s_stats_value (reply, s_stats_columns [i].field, value, sizeof value);
            s_xlsx_keep (&error, worksheet_write_string (figures, row, 3, value, NULL));
        }
    }
    lxw_error closed = workbook_close (book);
    s_xlsx_keep (&error, closed);
    if (error != LXW_NO_ERROR) {
        fprintf (stderr, "dunghanctl: cannot write %s: %s\n", path, lxw_strerror (error));
        return -1;
    }
    return 0;
}

//  ------------------------------------------------------------ deadlines

static const char *
s_or_dash (const char *text)
{
    return text && *text? text: "-";
}

//  One line per entry, its columns aligned over the whole list.
static void
s_print_deadlines (FILE *out, const ProtobufCMessage *reply, const char *over_or_left)
{
    assert (reply->descriptor == &dh__deadline_list__descriptor);
    const Dh__DeadlineList *list = (const Dh__DeadlineList *) reply;
    size_t width [4] = { 0 };
    for (size_t i = 0; i < list->n_entries; i++) {
        const Dh__DeadlineEntry *entry = list->entries [i];
        const char *columns [4] = { entry->item, entry->unit, entry->holder, entry->node };
        for (int c = 0; c < 4; c++)
            if (s_width (s_or_dash (columns [c])) > width [c])
                width [c] = s_width (s_or_dash (columns [c]));
    }
    for (size_t i = 0; i < list->n_entries; i++) {
        const Dh__DeadlineEntry *entry = list->entries [i];
        const char *columns [4] = { entry->item, entry->unit, entry->holder, entry->node };
        for (int c = 0; c < 4; c++)
            s_pad (out, s_or_dash (columns [c]), width [c] + 2);
        char due [40] = "-";
        if (entry->due_at)
            dh_time_format (entry->due_at, due, sizeof due);
        if (entry->received_at) {
            char received [40];
            dh_time_format (entry->received_at, received, sizeof received);
            fprintf (out, "received %s  due ", received);
        }
        //  Working days come in hours (0.125 a day): say them exactly.
        char days [32];
        snprintf (days, sizeof days, "%.3f", entry->working_days);
        char *last = days + strlen (days) - 1;
        while (*last == '0')
            *last-- = 0;
        if (*last == '.')
            *last = 0;
        fprintf (out, "%s  %s working days %s\n", due, days, over_or_left);
    }
}

void
ctl_print_overdue (FILE *out, const ProtobufCMessage *reply)
{
    s_print_deadlines (out, reply, "over");
}

void
ctl_print_due_soon (FILE *out, const ProtobufCMessage *reply)
{
    s_print_deadlines (out, reply, "left");
}

void
ctl_print_backlog (FILE *out, const ProtobufCMessage *reply)
{
    s_print_deadlines (out, reply, "open");
}

//  --------------------------------------------------------------- queues

//  An age as people say it, in its two largest units: "3d 4h", "2h 5m".
static void
s_age (int64_t seconds, char *buffer, size_t size)
{
    int64_t days = seconds / 86400, hours = seconds / 3600 % 24, minutes = seconds / 60 % 60;
    if (days)
        snprintf (buffer, size, "%" PRId64 "d %" PRId64 "h", days, hours);
    else
    if (hours)
        snprintf (buffer, size, "%" PRId64 "h %" PRId64 "m", hours, minutes);
    else
    if (minutes)
        snprintf (buffer, size, "%" PRId64 "m %" PRId64 "s", minutes, seconds % 60);
    else
        snprintf (buffer, size, "%" PRId64 "s", seconds);
}

#define S_QUEUE_COLUMNS 7
#define S_QUEUE_COUNTS(c) ((c) >= 1 && (c) <= 3)    //  right-aligned

//  The cells of a unit's line; row NULL: the headings.
static void
s_queue_cells (const Dh__QueueRow *row, char cells [S_QUEUE_COLUMNS][128])
{
    static const char *headings [S_QUEUE_COLUMNS] = {
        "unit", "open", "due soon", "overdue", "oldest", "received", "item" };
    if (!row) {
        for (int c = 0; c < S_QUEUE_COLUMNS; c++)
            snprintf (cells [c], 128, "%s", headings [c]);
        return;
    }
    snprintf (cells [0], 128, "%s", row->unit);
    snprintf (cells [1], 128, "%" PRIu64, row->open);
    snprintf (cells [2], 128, "%" PRIu64, row->due_soon);
    snprintf (cells [3], 128, "%" PRIu64, row->overdue);
    snprintf (cells [4], 128, "-");
    snprintf (cells [5], 128, "-");
    snprintf (cells [6], 128, "%s", s_or_dash (row->oldest_item));
    if (row->open) {
        s_age (row->oldest_age_s, cells [4], 128);
        dh_time_format (row->oldest_received_at, cells [5], 128);
    }
}

void
ctl_print_queues (FILE *out, const ProtobufCMessage *reply)
{
    assert (reply->descriptor == &dh__queues_reply__descriptor);
    const Dh__QueuesReply *queues = (const Dh__QueuesReply *) reply;
    char cells [S_QUEUE_COLUMNS][128];
    size_t width [S_QUEUE_COLUMNS] = { 0 };
    for (size_t i = 0; i <= queues->n_rows; i++) {
        s_queue_cells (i? queues->rows [i - 1]: NULL, cells);
        for (int c = 0; c < S_QUEUE_COLUMNS; c++)
            if (s_width (cells [c]) > width [c])
                width [c] = s_width (cells [c]);
    }
    for (size_t i = 0; i <= queues->n_rows; i++) {
        s_queue_cells (i? queues->rows [i - 1]: NULL, cells);
        for (int c = 0; c < S_QUEUE_COLUMNS; c++) {
            if (c)
                fputs ("  ", out);
            if (S_QUEUE_COUNTS (c))
                for (size_t used = s_width (cells [c]); used < width [c]; used++)
                    fputc (' ', out);
            if (c == S_QUEUE_COLUMNS - 1 || S_QUEUE_COUNTS (c))
                fputs (cells [c], out);
            else
                s_pad (out, cells [c], width [c]);
        }
        fputc ('\n', out);
    }
}

//  ------------------------------------------------------------ recompute

void
ctl_print_recompute (FILE *out, const ProtobufCMessage *reply)
{
    assert (reply->descriptor == &dh__recompute_reply__descriptor);
    const Dh__RecomputeReply *recompute = (const Dh__RecomputeReply *) reply;
    char started [64] = "", finished [64] = "";
    dh_time_format (recompute->started_at, started, sizeof started);
    if (recompute->running)
        fprintf (out, "under way: %" PRIu64 " of %" PRIu64 " clocks looked at; ", recompute->checked,
                 recompute->total);
    else
        dh_time_format (recompute->finished_at, finished, sizeof finished);
    fprintf (out, "%" PRIu64 " open clocks recomputed, %" PRIu64 " moved (%" PRIu64 " later, %" PRIu64
             " earlier)", recompute->clocks, recompute->moved, recompute->moved_later, recompute->moved_earlier);
    if (recompute->moved)
        fprintf (out, "; the largest shift %.2f h, %.2f h in all", (double) recompute->max_shift_ms / DH_HOUR_MS,
                 (double) recompute->total_shift_ms / DH_HOUR_MS);
    fprintf (out, "\nasked by %s at %s", recompute->by, started);
    if (!recompute->running)
        fprintf (out, ", done at %s", finished);
    fputc ('\n', out);
}
