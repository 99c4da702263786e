"""The kernel's background jobs: stored, run once by the worker's task, seen by their owner only."""

import datetime
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import Http404
from django.utils import timezone

from amparo.core import jobs
from amparo.core.errors import ActionError
from amparo.core.models import Job

calls = []


@jobs.handler
def echo(*, job, data, progress):
    progress(1, 2, phase="checking")
    calls.append((job.params, data))
    return {"length": len(data or b"")}


@jobs.handler
def refuse(*, job, data, progress):
    raise ActionError.on("file", "No, gracias.")


@jobs.handler
def crash(*, job, data, progress):
    raise RuntimeError("with a person's name in it")


def not_a_handler(*, job, data, progress):  # pragma: no cover - never run
    return {}


@pytest.fixture
def owner(make_user, office_a1):
    return make_user("registration_officer", office=office_a1)


def test_a_job_runs_once_on_commit_and_keeps_no_file(owner, django_capture_on_commit_callbacks):
    calls.clear()

    with django_capture_on_commit_callbacks(execute=True) as queued:
        job = jobs.start(owner=owner, handler=echo, params={"n": 1}, data=b"abc", filename="a.csv")
        stored = Job.objects.get(pk=job.pk).data
    again = jobs.run_job.call(job.pk)  # a retried task does nothing

    job.refresh_from_db()
    assert len(queued) == 1
    assert b"abc" not in bytes(stored)  # encrypted at rest
    assert calls == [({"n": 1}, b"abc")]
    assert (job.state, job.result, job.data) == (Job.State.FINISHED, {"length": 3}, None)
    assert (job.done, job.total, job.phase) == (1, 2, "checking")
    assert job.finished_at is not None
    assert again == "skipped"


def test_a_refusal_keeps_its_messages_and_a_crash_hides_its_own(
    owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refused = jobs.start(owner=owner, handler=refuse)
        crashed = jobs.start(owner=owner, handler=crash)

    refused.refresh_from_db()
    crashed.refresh_from_db()
    assert (refused.state, refused.result) == (Job.State.REFUSED, {"refused": ["No, gracias."]})
    assert crashed.state == Job.State.FAILED
    assert "name" not in str(crashed.result)
    assert crashed.result == {
        "refused": ["El trabajo falló de forma inesperada; los administradores pueden ver por qué."]
    }


def test_only_marked_handlers_are_started(owner):
    with pytest.raises(ValueError, match="not a @jobs.handler"):
        jobs.start(owner=owner, handler=not_a_handler)

    assert not Job.objects.exists()


def test_a_job_is_its_owners_alone(owner, make_user, office_a1):
    job = jobs.start(owner=owner, handler=echo)
    colleague = make_user("registration_officer", office=office_a1)
    admin = make_user("administrator", organization=office_a1.organization)

    assert jobs.get_job_for(owner, job.uuid) == job
    for other in (colleague, admin):
        with pytest.raises(Http404):
            jobs.get_job_for(other, job.uuid)


def test_jobs_are_removed_a_day_after(owner):
    old = jobs.start(owner=owner, handler=echo)
    Job.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=jobs.KEEP_HOURS + 1)
    )

    new = jobs.start(owner=owner, handler=echo)

    assert list(Job.objects.all()) == [new]


@jobs.handler
def slow(*, job, data, progress):
    import time

    time.sleep(jobs.HEARTBEAT_SECONDS * 6)
    calls.append(Job.objects.get(pk=job.pk).heartbeat_at)
    return {}


def _running(owner, silent_minutes: float, **fields) -> Job:
    job = jobs.start(owner=owner, handler=echo, data=b"abc")
    beat = timezone.now() - datetime.timedelta(minutes=silent_minutes)
    fields = {"heartbeat_at": beat, **fields}
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, started_at=beat, **fields)
    return job


def test_a_running_job_silent_too_long_shows_interrupted_to_its_owner(owner):
    silent = _running(owner, silent_minutes=11, done=5, total=9)
    beating = _running(owner, silent_minutes=1)

    seen_silent = jobs.get_job_for(owner, silent.uuid)
    seen_beating = jobs.get_job_for(owner, beating.uuid)

    assert (seen_silent.state, seen_silent.data, seen_silent.is_over) == (
        Job.State.FAILED,
        None,
        True,
    )
    assert seen_silent.result == {
        "refused": [
            "El trabajo se interrumpió: el servidor se detuvo mientras se ejecutaba. "
            "Vuelva a iniciarlo."
        ],
        "interrupted": True,
    }
    assert seen_silent.finished_at is not None
    assert seen_beating.state == Job.State.RUNNING
    assert Job.objects.get(pk=beating.pk).result is None


def test_the_silence_allowed_is_a_setting_and_a_job_from_before_heartbeats_counts_its_start(
    owner, settings
):
    settings.AMPARO_JOB_SILENT_MINUTES = 30
    recent = _running(owner, silent_minutes=11)
    unbeaten = _running(owner, silent_minutes=31, heartbeat_at=None)

    ended = jobs.interrupt_silent()

    assert ended == 1
    assert Job.objects.get(pk=recent.pk).state == Job.State.RUNNING
    assert Job.objects.get(pk=unbeaten.pk).state == Job.State.FAILED


def test_starting_a_job_ends_silent_ones_in_their_owners_language(owner, make_user, office_a1):
    english = make_user("registration_officer", office=office_a1, language="en")
    silent = _running(english, silent_minutes=60)

    jobs.start(owner=owner, handler=echo)

    silent.refresh_from_db()
    assert silent.state == Job.State.FAILED
    assert silent.result["refused"] == [
        "The work was interrupted: the server stopped while it was running. Start it again."
    ]


def test_progress_writes_a_heartbeat(owner):
    job = _running(owner, silent_minutes=11)

    jobs.Progress(job)(3)

    assert jobs.get_job_for(owner, job.uuid).state == Job.State.RUNNING
    assert Job.objects.get(pk=job.pk).heartbeat_at > timezone.now() - datetime.timedelta(seconds=5)


@pytest.mark.django_db(transaction=True)
def test_a_running_job_beats_between_progress_calls(make_user, office_a1, monkeypatch):
    # The beat is written on its own connection, so the job row must be committed: no test
    # transaction here.
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.05)
    owner = make_user("registration_officer", office=office_a1)
    job = Job.objects.create(owner=owner, handler=jobs.path_of(slow))
    calls.clear()

    jobs.run_job.call(job.pk)

    job.refresh_from_db()
    assert job.state == Job.State.FINISHED
    assert calls[0] > job.started_at


SETUP = """
from django.db import transaction
from amparo.core import jobs
from amparo.core.models import Area, Office, Organization, Role, User
from amparo.registry import tasks
org = Organization.objects.create(code="org-w", name="Organización W")
office = Office.objects.create(organization=org, code="w1", name="Oficina W1",
                               area=Area.objects.get(code="EC-P"))
user = User.objects.create(username="registro", organization=org, office=office,
                           role=Role.objects.get(organization=None, code="registration_officer"))
data = (b"household_ref,relationship,given_names,first_surname,sex,date_of_birth,nationality,"
        b"population_group\\nH1,head,Ana,Mora,F,1990-01-01,VE,refugee\\n")
with transaction.atomic():
    jobs.start(owner=user, handler=tasks.import_file, data=data, filename="r.csv",
               params={"office": "w1", "mapping": {}, "dry_run": False, "valid_rows_only": False})
"""


def test_amparo_worker_runs_a_queued_import_from_the_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "AMPARO_DEBUG"}}
    env["AMPARO_HOME"] = str(tmp_path)  # a file SQLite database of its own
    amparo = str(Path(sys.executable).parent / "amparo")
    subprocess.run([amparo, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([amparo, "shell", "-c", SETUP], env=env, check=True, capture_output=True)
    with sqlite3.connect(tmp_path / "amparo.sqlite3") as db:
        queued = db.execute("SELECT state FROM core_job").fetchall()

    subprocess.run([amparo, "worker", "--batch", "--no-startup-delay"], env=env, check=True)

    with sqlite3.connect(tmp_path / "amparo.sqlite3") as db:
        state, result, data = db.execute("SELECT state, result, data FROM core_job").fetchone()
        households = db.execute("SELECT count(*) FROM registry_household").fetchone()[0]
    assert queued == [("queued",)]
    assert (state, data, households) == ("finished", None, 1)
    assert '"imported_households": 1' in result
