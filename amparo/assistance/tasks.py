"""Background work of assistance (run by the worker through `core.jobs`)."""

from django.utils.translation import gettext as _

from amparo.assistance import actions, queries, queries_payments
from amparo.core import jobs
from amparo.core.models import Job


def _interrupted(job: Job) -> str:
    return _(
        "The reconciliation was interrupted: the server stopped while it was running. Nothing "
        "of this file was saved (it is saved all at once): import it again."
    )


@jobs.handler(interrupted=_interrupted)
def reconcile_payments_file(*, job: Job, data: bytes | None, progress: jobs.Progress) -> dict:
    """Check, or check and apply, a provider's reconciliation file (params: cycle, format,
    dry_run). All or nothing: the bad rows come back as the job's refusal."""
    actor = job.owner
    cycle = queries.get_cycle_for(actor, job.params["cycle"])
    payment_format = queries_payments.get_payment_format_for(actor, job.params["format"])
    progress(0, None, phase="checking")
    result = actions.reconcile_payments(
        actor=actor,
        cycle=cycle,
        payment_format=payment_format,
        data=data or b"",
        filename=job.filename,
        dry_run=job.params["dry_run"],
    )
    return result.as_dict()
