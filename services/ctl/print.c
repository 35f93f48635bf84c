//  Replies printed for people: the figures of Biểu 06, the lists of
//  deadlines, what a recompute moved (see print.h).
#include <assert.h>
#include <inttypes.h>
#include <string.h>
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

//  ------------------------------------------------------------ recompute

void
ctl_print_recompute (FILE *out, const ProtobufCMessage *reply)
{
    assert (reply->descriptor == &dh__recompute_reply__descriptor);
    const Dh__RecomputeReply *recompute = (const Dh__RecomputeReply *) reply;
    fprintf (out, "%" PRIu64 " open clocks recomputed, %" PRIu64 " moved (%" PRIu64 " later, %" PRIu64
             " earlier)", recompute->clocks, recompute->moved, recompute->moved_later, recompute->moved_earlier);
    if (recompute->moved)
        fprintf (out, "; the largest shift %.2f h, %.2f h in all", (double) recompute->max_shift_ms / DH_HOUR_MS,
                 (double) recompute->total_shift_ms / DH_HOUR_MS);
    fputc ('\n', out);
}
