from huey.contrib.djhuey import db_task

from .services import execute_run


@db_task()
def execute_run_task(run_id: int) -> None:
    execute_run(run_id)
