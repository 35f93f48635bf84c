/*  Replies printed for people where "field: value" lines (pbtext_print)
    read badly: a row of cmd_work.c names one of these as its default
    output, or as the output of a flag of its own (stats --csv). --json
    stays generic (pbtext_json).  */
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

//  DeadlineList: one line per entry: item, unit, holder, node, due time
//  (Hanoi), working days over (overdue) or left (due soon).
ctl_print_fn ctl_print_overdue;
ctl_print_fn ctl_print_due_soon;

//  RecomputeReply: how many open clocks moved, and how far.
ctl_print_fn ctl_print_recompute;

#endif
