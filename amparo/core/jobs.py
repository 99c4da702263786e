"""Background jobs: work a user starts on a screen and follows on a progress page.

    job = jobs.start(owner=user, handler=import_file, params={...}, data=upload, filename=name)
    # → redirect to the app's job page; it calls `jobs.get_job_for(user, uuid)` (404 unless the
    #   user started it) and shows `core/_job_progress.html` until `job.is_over`.

    @jobs.handler
    def import_file(job: Job, data: bytes | None, progress: jobs.Progress) -> dict: ...

A handler takes the job, its file and a `progress(done, total, phase=)` callable, and returns
the JSON result the app's page shows. An `ActionError` it raises ends the job as *refused*
with the messages; any other exception as *failed* (the traceback goes to the worker's log,
never to the page). The job runs in the django-tasks worker (`amparo serve` starts one,
`amparo worker` more), from the database: the file travels in the job row, encrypted with
the field keys, and is deleted when the job ends; jobs are deleted `KEEP_HOURS` after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from amparo.core import crypto
from amparo.core.errors import ActionError
from amparo.core.models import Job, User

logger = logging.getLogger(__name__)
KEEP_HOURS = 24
PROGRESS_EVERY = 1000  # rows between two progress writes


class Progress:
    """`progress(done, total=None, phase="")`: written to the job row for its page to show.

    Call it outside the handler's write transaction (a transaction hides its writes until it
    commits): `phase="saving"` before the transaction says what the job is doing.
    """

    def __init__(self, job: Job) -> None:
        self.job = job

    def __call__(self, done: int, total: int | None = None, phase: str = "") -> None:
        fields: dict[str, Any] = {"done": done}
        if total is not None:
            fields["total"] = total
        if phase:
            fields["phase"] = phase
        Job.objects.filter(pk=self.job.pk).update(**fields)


class Handler(Protocol):
    def __call__(self, *, job: Job, data: bytes | None, progress: Progress) -> dict: ...


def handler(function: Callable[..., dict]) -> Handler:
    """Mark a function as one a job may run (the worker runs nothing else)."""
    function.is_job_handler = True  # type: ignore[attr-defined]
    return function


def start(
    *,
    owner: User,
    handler: Handler,
    params: dict[str, Any] | None = None,
    data: bytes | None = None,
    filename: str = "",
) -> Job:
    """Store the job (and its file, encrypted) and queue it once the transaction commits.

    The caller has checked the owner's permission; the handler checks it again when it runs.
    """
    path = path_of(handler)
    if not getattr(handler, "is_job_handler", False):
        raise ValueError(f"{path} is not a @jobs.handler")
    drop_expired()
    job = Job.objects.create(
        owner=owner,
        handler=path,
        params=params or {},
        filename=filename[:200],
        data=None if data is None else crypto.fernet().encrypt(data),
    )
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def path_of(handler: Handler) -> str:
    """The dotted path a job stores for its handler."""
    return f"{handler.__module__}.{handler.__qualname__}"  # type: ignore[attr-defined]


def get_job_for(user: User, job_id: UUID | str) -> Job:
    """The user's own job; anyone else's, or a missing one, is the same 404."""
    job = Job.objects.filter(uuid=job_id, owner=user).first() if user.is_authenticated else None
    if job is None:
        raise Http404
    return job


def drop_expired() -> int:
    """Remove jobs over `KEEP_HOURS` old: their results may name people."""
    cutoff = timezone.now() - timedelta(hours=KEEP_HOURS)
    deleted, _by_model = Job.objects.filter(created_at__lt=cutoff).delete()
    return deleted


@task()
def run_job(job_id: int) -> str:
    """The worker's side: claim the job, run its handler, store the outcome, drop the file."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.filter(pk=job_id).first()
    if not claimed or job is None:
        return "skipped"  # already run (a retried task) or removed
    function = import_string(job.handler)
    if not getattr(function, "is_job_handler", False):
        raise ValueError(f"{job.handler} is not a @jobs.handler")
    data = None if job.data is None else crypto.fernet().decrypt(bytes(job.data))
    with translation.override(job.owner.language or settings.LANGUAGE_CODE):
        try:
            result = function(job=job, data=data, progress=Progress(job))
            state = Job.State.FINISHED
        except ActionError as exc:
            result, state = {"refused": exc.messages}, Job.State.REFUSED
        except Exception:
            logger.exception("job %s (%s) failed", job.uuid, job.handler)
            result = {
                "refused": [_("The job failed unexpectedly; the administrators can see why.")]
            }
            state = Job.State.FAILED
    Job.objects.filter(pk=job.pk).update(
        state=state, result=result, data=None, finished_at=timezone.now()
    )
    return str(state)
