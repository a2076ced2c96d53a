"""Public pages. They render only from frozen snapshots: what was approved is what is shown."""
from __future__ import annotations

from flask import abort, current_app, render_template

from notify.lifecycle import queries
from notify.public import bp


def _jurisdiction():
    j = queries.jurisdiction_by_code(current_app.config["JURISDICTION_CODE"])
    if j is None:
        abort(404)
    return j


@bp.get("/")
def current():
    j = _jurisdiction()
    items = [(w, r.snapshot.content) for w, r in queries.active_warnings(j.id)]
    return render_template("public/current.html", jurisdiction=j, items=items)


@bp.get("/history")
def history():
    j = _jurisdiction()
    revisions = queries.published_history(j.id)
    return render_template("public/history.html", jurisdiction=j,
                           items=[(r, r.snapshot.content) for r in revisions])


@bp.get("/warnings/<reference>")
def warning(reference: str):
    j = _jurisdiction()
    w = queries.warning_by_reference(reference)
    if w is None or w.jurisdiction_id != j.id or w.current is None:
        abort(404)
    published = [(r, r.snapshot.content) for r in w.revisions if r.state == "published"]
    return render_template("public/warning.html", jurisdiction=j, warning=w,
                           current=published[-1][1], published=list(reversed(published)))
