//  The appointment on the receipt slip (phiếu hẹn trả kết quả).
#include "dh_calendar.h"
#include "dh_error.h"
#include "intake.h"

double
intake_procedure_hours (const Dh__Procedure *procedure, Dh__Channel channel)
{
    if (procedure->same_day || procedure->calendar_days)
        return 0;
    return channel == DH__CHANNEL__ONLINE? procedure->hours_online:
           channel == DH__CHANNEL__POST? procedure->hours_post: procedure->hours_in_person;
}

int
intake_appointment (intake_t *self, const Dh__Procedure *procedure, Dh__Channel channel,
                    int64_t submitted_at, int64_t *received_at, int64_t *due_at)
{
    int rc = dh_calendar_adjust (self->calendar, submitted_at, received_at);
    if (rc)
        return rc;
    if (procedure->same_day)
        return dh_calendar_due_same_day (self->calendar, submitted_at, due_at);
    if (procedure->calendar_days)
        return dh_calendar_due_calendar_days (self->calendar, submitted_at, procedure->calendar_days, due_at);
    return dh_calendar_due (self->calendar, submitted_at, intake_procedure_hours (procedure, channel),
                            due_at, NULL);
}
