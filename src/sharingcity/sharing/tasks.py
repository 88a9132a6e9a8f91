"""Background jobs of the sharing hub (huey periodic tasks)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import booking, hub, lending, trust


@db_periodic_task(crontab(minute="*"))
def expire_holds():
    """Holds past their 15 minutes and undecided requests whose start passed stop blocking."""
    return booking.expire_holds()


@db_periodic_task(crontab(minute="*/5"))
def release_no_shows():
    return booking.release_no_shows()


@db_periodic_task(crontab(minute="*/5"))
def draw_lotteries():
    return booking.draw_due_lotteries()


@db_periodic_task(crontab(minute="*/15"))
def expire_queue_holds():
    return lending.expire_ready_holds()


@db_periodic_task(crontab(minute="10", hour="*"))
def publish_reviews():
    return trust.publish_blind_reviews()


@db_periodic_task(crontab(minute="20", hour="*"))
def refresh_partner_feeds():
    return len(hub.refresh_due())
