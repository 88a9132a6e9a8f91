from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import notifications


@db_periodic_task(crontab(hour="7", minute="0"))
def send_daily_digests():
    return notifications.send_daily_digests()
