/*  Replies printed for people where "field: value" lines (pbtext_print)
    read badly: a row of cmd_work.c names one of these as its default
    output, or as the output of a flag of its own (stats --csv), or as the
    writer of a file a flag names (stats --xlsx FILE). --json stays
    generic (dh_pbjson).  */
#ifndef CTL_PRINT_H
#define CTL_PRINT_H

#include <stdio.h>
#include <protobuf-c/protobuf-c.h>

//  Prints reply on out. reply is of the type the row names (asserted).
typedef void (ctl_print_fn) (FILE *out, const ProtobufCMessage *reply);

//  StatsReport (Biểu 06): "label  value" lines, the labels in English with
//  the report's Vietnamese term; or a CSV header line and a value line.
ctl_print_fn ctl_print_stats;
ctl_print_fn ctl_print_stats_csv;

//  Writes reply into a new file at path (replacing one there). Returns 0,
//  or -1 when it cannot (why said on stderr).
typedef int (ctl_save_fn) (const char *path, const ProtobufCMessage *reply);

//  StatsReport as an Excel workbook laid out as Biểu 06 (Circular
//  01/2020/TT-VPCP): a title, three header rows with the groups merged
//  over their columns, one value row, the on-time rate and the progress
//  points of QĐ 766 as two more columns; a second sheet has every figure
//  of --csv, one a row (field, English, Vietnamese, value).
ctl_save_fn ctl_save_stats_xlsx;

//  DeadlineList: one line per entry: item, unit, holder, node, due time
//  (Hanoi), working days over (overdue) or left (due soon).
ctl_print_fn ctl_print_overdue;
ctl_print_fn ctl_print_due_soon;
ctl_print_fn ctl_print_backlog;

//  QueuesReply: a header, then one line per unit: open, due soon,
//  overdue, the age of the oldest open item ("3d 4h"), its receipt time
//  (Hanoi) and code.
ctl_print_fn ctl_print_queues;

//  RecomputeReply: how many open clocks moved, and how far.
ctl_print_fn ctl_print_recompute;

#endif
