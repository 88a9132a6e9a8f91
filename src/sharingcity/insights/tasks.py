from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import dashboard, exports


@db_periodic_task(crontab(hour="3", minute="15"))
def write_open_data_nightly() -> int:
    """Every night, every public dataset in every format to MEDIA_ROOT/open-data/."""
    return len(exports.write_all())


@db_task()
def regenerate_open_data(actor_id: int | None = None) -> int:
    """The bureau's "regenerate now" button."""
    from sharingcity.core.audit import record
    from sharingcity.core.models import User

    n = len(exports.write_all())
    record(User.objects.filter(pk=actor_id).first(), "insights.open_data_regenerated", files=n)
    return n


@db_periodic_task(crontab(minute="*/2"))
def warm_dashboards() -> int:
    """Keep the unfiltered dashboards rendered (every two minutes, inside the cache's lifetime),
    so a cold computation over the whole city never lands on a visitor."""
    return dashboard.warm()
