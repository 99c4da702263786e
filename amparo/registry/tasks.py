"""Background work of the registry (run by the worker through `core.jobs`)."""

from django.utils.translation import gettext as _

from amparo.core import jobs
from amparo.core import queries as core_queries
from amparo.core.models import Job
from amparo.registry import actions, imports

SHOWN_ERRORS = 500  # problems listed on the result page (the count says how many in all)


def _interrupted(job: Job) -> str:
    """What an import whose worker died kept: nothing, unless it was saving batch by batch."""
    if job.params.get("dry_run"):
        return _(
            "The check was interrupted: the server stopped while it was running. A check saves "
            "nothing: start it again."
        )
    if job.phase != "saving" or not imports.batches_commit_separately():
        return _(
            "The import was interrupted: the server stopped while it was running. Nothing of "
            "this file was saved: start the import again."
        )
    # On SQLite each batch commits on its own, and `done` is written after each commit.
    return _(
        "The import was interrupted: the server stopped while it was saving. The households "
        "saved until then are kept (at least %(done)d of %(total)d): start the import again "
        "with the same file, and it adds only the households still missing."
    ) % {"done": job.done, "total": job.total or 0}


@jobs.handler(interrupted=_interrupted)
def import_file(*, job: Job, data: bytes | None, progress: jobs.Progress) -> dict:
    """Check or import an uploaded registry file for the job's owner, all or nothing.

    params: office (code, for rows without one), mapping, dry_run, valid_rows_only, token
    (the pending upload the screen goes back to). The result is what the page shows.
    """
    params = job.params
    actor = job.owner
    office = core_queries.offices_visible_to(actor).filter(code=params.get("office")).first()
    report = imports.import_registry(
        actor=actor,
        data=data or b"",
        filename=job.filename,
        office=office,
        mapping=params["mapping"],
        dry_run=params["dry_run"],
        valid_rows_only=params["valid_rows_only"],
        progress=progress,
    )
    imported = not report.dry_run and (not report.errors or params["valid_rows_only"])
    if imported:
        actions.remember_mapping(actor=actor, columns=params["mapping"])
    return {
        "imported": imported,
        "dry_run": report.dry_run,
        "rows": report.rows,
        "households": report.households,
        "problems": len(report.errors),
        "errors": [str(e) for e in report.errors[:SHOWN_ERRORS]],
        "imported_households": report.imported_households,
        "imported_individuals": report.imported_individuals,
        "skipped_existing": report.skipped_existing,
        "skipped_invalid": report.skipped_invalid,
    }
