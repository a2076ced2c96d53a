"""How many rows a set-based INSERT, UPDATE or DELETE wrote."""

from sqlalchemy import CursorResult, Result


def rows_written(result: Result) -> int:
    """The row count of a DML statement's result.

    Session.execute() types every result as a plain Result; for INSERT, UPDATE and DELETE it is a
    CursorResult, the only kind that carries the count.
    """
    assert isinstance(result, CursorResult), "only INSERT, UPDATE and DELETE report a row count"
    return result.rowcount
