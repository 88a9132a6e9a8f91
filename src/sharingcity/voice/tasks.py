"""Periodic work of citizen voice: deadline reminders and escalations, resolution follow-ups."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="15"))
def sweep_reply_deadlines():
    """Hourly: remind departments before a reply is due, escalate to the head once overdue."""
    return services.do_sweep_deadlines()


@db_periodic_task(crontab(hour="9", minute="30"))
def ask_follow_ups():
    """Daily: ask authors whether a positively answered proposal was resolved."""
    return services.do_ask_follow_ups()


@db_periodic_task(crontab(minute="45"))
def catch_up_rungs():
    """Hourly: record any rung a proposal's supports crossed but that was never recorded."""
    return services.do_catch_up_rungs()
