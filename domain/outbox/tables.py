"""Work to do after a change, written in the change's own transaction, and the record of jobs that kept failing."""

from __future__ import annotations

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.table import Table


class OutboxEntry(Table, tablename="outbox_entry"):
    """One job to run because of a committed change; the relay hands it to the queue and stamps `relayed_at`."""

    id = Varchar(length=26, primary_key=True)  # time-ordered: the relay hands entries over in commit order
    job_name = Varchar(length=80)
    args = Text(default="[]")  # JSON array of the job's positional arguments (ids, never objects)
    created_at = Timestamptz()
    relayed_at = Timestamptz(null=True, default=None, index=True)
    relay_attempts = Integer(default=0)
    last_error = Text(default="")


class JobFailure(Table, tablename="job_failure"):
    """A job that failed, by job id: tries so far, the last error, and whether it has given up (shown to admins)."""

    job_id = Varchar(length=200, primary_key=True)
    job_name = Varchar(length=80, index=True)
    args = Text(default="[]")
    tries = Integer(default=0)
    last_error = Text(default="")
    first_failed_at = Timestamptz()
    last_failed_at = Timestamptz()
    gave_up = Integer(default=0)  # 1 once the last try failed; a later success clears the row's `gave_up`
    succeeded_at = Timestamptz(null=True, default=None)


class CronClaim(Table, tablename="cron_claim"):
    """The latest tick of each cron job that some process took on: in-process schedules of several API processes
    race for each tick, and only the one that moves `tick` forward runs it."""

    job_name = Varchar(length=80, primary_key=True)
    tick = Timestamptz()
    claimed_by = Varchar(length=120, default="")  # host:pid of the process that took the tick, for operators
    claimed_at = Timestamptz()
