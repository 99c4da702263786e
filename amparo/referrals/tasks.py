"""Background work of the Care Route (run by the worker through `core.jobs`)."""

from django.utils.translation import gettext as _

from amparo.core import jobs
from amparo.core.errors import ActionError
from amparo.core.models import Job
from amparo.referrals import imports


def _interrupted(job: Job) -> str:
    return _(
        "The import was interrupted: the server stopped while it was running. Nothing of this "
        "file was saved (it is saved all at once): start the import again."
    )


@jobs.handler(interrupted=_interrupted)
def import_directory_file(*, job: Job, data: bytes | None, progress: jobs.Progress) -> dict:
    """Check or import a directory file into the owner's organization (params: dry_run).

    All or nothing: the problems come back as the job's refusal (`core.jobs`).
    """
    actor = job.owner
    if actor.organization is None:
        raise ActionError.general(_("You can only manage your own organization."))
    progress(0, None, phase="checking")
    result = imports.import_directory(
        actor=actor,
        organization=actor.organization,
        data=data or b"",
        filename=job.filename,
        dry_run=job.params["dry_run"],
    )
    return {**result.as_dict(), "dry_run": result.dry_run}
