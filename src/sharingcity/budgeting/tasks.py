from huey.contrib.djhuey import db_task

from .panels import compute_lottery


@db_task()
def compute_lottery_task(panel_id: int) -> None:
    compute_lottery(panel_id)
