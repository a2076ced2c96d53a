"""Jobs for the scheduler's own tests: each run leaves an audit event that the test counts."""

from notify import audit, scheduling


@scheduling.task
def ping(label: str) -> None:
    audit.record("test.ping", actor_name="scheduler", summary=label, detail={"label": label})


@scheduling.task
def explode(label: str) -> None:
    audit.record("test.ping", actor_name="scheduler", summary=label)
    raise RuntimeError("this job fails on purpose")


def not_a_task(label: str) -> None:
    pass


@scheduling.task
def cancel_myself(label: str) -> None:
    audit.record("test.ping", actor_name="scheduler", summary=label)
    scheduling.cancel(label)
