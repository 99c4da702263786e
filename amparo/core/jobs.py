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

A running job beats: its row's `heartbeat_at` is written when it starts, at every progress
call, and every `HEARTBEAT_SECONDS` by a thread of the worker meanwhile. A worker that died
(killed, machine restarted) stops beating; a job silent for `settings.AMPARO_JOB_SILENT_MINUTES`
is ended as *failed*, "interrupted", when its owner next looks at it or the next job starts
(`interrupt_silent`), with the message its handler gives (`@jobs.handler(interrupted=…)`:
what was kept, what to do) or a general one. django-tasks' database worker has no such notion
(a task whose worker died stays "running" in its table too).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, Protocol
from uuid import UUID

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Q, QuerySet
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
HEARTBEAT_SECONDS = 30  # between two beats of a running job (well under the silence allowed)


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
        Job.objects.filter(pk=self.job.pk).update(**fields, heartbeat_at=timezone.now())


class Handler(Protocol):
    def __call__(self, *, job: Job, data: bytes | None, progress: Progress) -> dict: ...


def handler(
    function: Callable[..., dict] | None = None,
    *,
    interrupted: Callable[[Job], str] | None = None,
) -> Any:
    """Mark a function as one a job may run (the worker runs nothing else).

    `interrupted(job)` says, in the owner's language, what a job whose worker died kept and
    what to do now (the job's `phase`, `done` and `total` are as last written).
    Use bare (`@jobs.handler`) or with it (`@jobs.handler(interrupted=…)`).
    """

    def mark(function: Callable[..., dict]) -> Handler:
        function.is_job_handler = True  # type: ignore[attr-defined]
        function.interrupted = interrupted  # type: ignore[attr-defined]
        return function

    return mark if function is None else mark(function)


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


_worker_start: list[Callable[[], None]] = []


def on_worker_start(function: Callable[[], None]) -> None:
    """Run `function` whenever a worker starts (`amparo worker`, the one `amparo serve` runs):
    an app picks up work a dead worker left (messaging's campaigns). Register it from
    `AppConfig.ready`; it must be safe to run on many workers at once."""
    if function not in _worker_start:
        _worker_start.append(function)


def worker_starting() -> None:
    """Called by `amparo worker` before it takes its first task."""
    for function in _worker_start:
        try:
            function()
        except DatabaseError:  # the database is not there yet: the next start will do it
            logger.exception("work to resume could not be read")


def path_of(handler: Handler) -> str:
    """The dotted path a job stores for its handler."""
    return f"{handler.__module__}.{handler.__qualname__}"  # type: ignore[attr-defined]


def get_job_for(user: User, job_id: UUID | str) -> Job:
    """The user's own job; anyone else's, or a missing one, is the same 404.

    A running job whose worker has gone silent is ended first (`interrupt_silent`), so its
    page and its owner see it interrupted rather than running for ever.
    """
    jobs = Job.objects.filter(uuid=job_id, owner=user) if user.is_authenticated else None
    job = jobs.first() if jobs is not None else None
    if job is None:
        raise Http404
    if job.state == Job.State.RUNNING and interrupt_silent(jobs):
        job.refresh_from_db()
    return job


def drop_expired() -> int:
    """Remove jobs over `KEEP_HOURS` old: their results may name people. Ends silent ones."""
    interrupt_silent()
    cutoff = timezone.now() - timedelta(hours=KEEP_HOURS)
    deleted, _by_model = Job.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def interrupt_silent(jobs: QuerySet[Job] | None = None) -> int:
    """End as *failed* the running jobs (of `jobs`, or all) with no heartbeat for
    `settings.AMPARO_JOB_SILENT_MINUTES`: their worker died. Returns how many.

    Each gets its handler's explanation (or a general one) in its owner's language, and loses
    its file. Should the worker turn out alive after all, its outcome replaces this one.
    """
    cutoff = timezone.now() - timedelta(minutes=settings.AMPARO_JOB_SILENT_MINUTES)
    silent = (jobs if jobs is not None else Job.objects.all()).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff),
        state=Job.State.RUNNING,
    )
    ended = 0
    for job in silent.select_related("owner"):
        with translation.override(job.owner.language or settings.LANGUAGE_CODE):
            result = {"refused": [_interruption(job)], "interrupted": True}
        # Only if it is still silent: a beat since the query above means the worker lives.
        ended += Job.objects.filter(
            pk=job.pk, state=Job.State.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(state=Job.State.FAILED, result=result, data=None, finished_at=timezone.now())
    return ended


def _interruption(job: Job) -> str:
    try:
        explain = getattr(import_string(job.handler), "interrupted", None)
    except ImportError:
        explain = None
    if explain is not None:
        return explain(job)
    return _("The work was interrupted: the server stopped while it was running. Start it again.")


@contextmanager
def _heartbeat(job_id: int) -> Iterator[None]:
    """While the block runs, beat every `HEARTBEAT_SECONDS` from a thread of its own.

    The handler may be inside one long transaction (an import on PostgreSQL), whose writes
    nobody sees until it commits: the beat needs its own connection, hence its own thread.
    """
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # a busy database: the next beat may pass
                    logger.warning("job %s: heartbeat not written", job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@task()
def run_job(job_id: int) -> str:
    """The worker's side: claim the job, run its handler, store the outcome, drop the file."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=now, heartbeat_at=now
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
            with _heartbeat(job.pk):
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
