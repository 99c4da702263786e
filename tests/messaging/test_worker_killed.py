"""A real `amparo worker` killed (SIGKILL) in the middle of a campaign, and workers side by side:
every message ends sent, or unknown when it was in the provider's hands at the moment of death;
the provider takes no address twice and nobody is left out.

Each test runs on a PostgreSQL database of its own, a copy of the migrated test database (a
fresh `migrate` takes minutes on a busy machine), with workers in their own processes and the
SMS channel pointing at a fake Twilio-style gateway on 127.0.0.1 with 50 ms of latency.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections

from bench.fake_provider import ACCOUNT, TOKEN, FakeProvider

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="workers in other processes share a database server (SKIP LOCKED): PostgreSQL only",
    ),
    # Marked so that pytest-django creates the test database this test copies; the test
    # itself writes only to its copy.
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
AMPARO = str(Path(sys.executable).parent / "amparo")
PEOPLE = 300
THREADS = 4
SETUP = """
from django.db import transaction
from amparo.core.models import Office, Organization, Role, User
from amparo.messaging import actions
from amparo.registry.actions import register_household
from tests.factories import member

org = Organization.objects.create(code="org-w", name="Organización W")
# No area: transactional tests run before this one may have emptied that table.
office = Office.objects.create(organization=org, code="w1", name="Oficina W1")
def user(username, role, office=None):
    return User.objects.create(username=username, organization=org, office=office,
                               role=Role.objects.get(organization=None, code=role))
registrar = user("registro", "registration_officer", office)
messenger = user("comunicacion", "communication_officer")
with transaction.atomic():
    for n in range(%(people)d):
        register_household(actor=registrar, office=office, members=[member(
            given_names=f"Persona {n}", phone=f"+59399{n:07d}", contact_consent=True,
            documents=[])])
template = actions.save_template(actor=messenger, name="Aviso", channel="sms",
                                 body_es="Hola {first_name}: le esperamos en {office}.")
campaign = actions.create_campaign(actor=messenger, name="Aviso", template=template, filters={})
with transaction.atomic():
    actions.schedule_campaign(actor=messenger, campaign=campaign)
print("campaign", campaign.pk)
"""


def _server_url(dbname: str) -> str:
    s = connection.settings_dict
    host, port = s.get("HOST") or "127.0.0.1", s.get("PORT") or 5432
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgresql://{s['USER']}{password}@{host}:{port}/{dbname}"


def _copy(template: str, name: str) -> None:
    connections.close_all()  # CREATE DATABASE … TEMPLATE needs the template unused
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def _drop(name: str) -> None:
    with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def pristine(django_db_setup):
    """The migrated test database as it is before any test: a transactional test's flush
    empties it (areas and roles too) when it ends."""
    name = f"{connection.settings_dict['NAME']}_pristine"
    _copy(connection.settings_dict["NAME"], name)
    yield name
    _drop(name)


@pytest.fixture
def own_database(pristine, request):
    """A copy of the migrated test database for this test's processes, dropped afterwards."""
    name = f"{pristine.removesuffix('_pristine')}_{request.node.name[5:25]}"
    _copy(pristine, name)
    yield name
    _drop(name)


@pytest.fixture
def gateway():
    with FakeProvider(latency=0.05) as provider:
        yield provider


def environment(database: str, home: Path, provider: FakeProvider, sender: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "AMPARO_DEBUG", "AMPARO_HOME"}
    }
    env |= {
        "PYTHONPATH": str(ROOT),  # this checkout's code, whatever the virtualenv points at
        "DATABASE_URL": _server_url(database),
        "AMPARO_HOME": str(home),
        "AMPARO_SMS_PROVIDER": "twilio",
        "AMPARO_SMS_URL": provider.url,
        "AMPARO_SMS_TOKEN": TOKEN,
        "AMPARO_SMS_ACCOUNT": ACCOUNT,
        "AMPARO_SMS_FROM": sender,  # tells the workers' requests apart
        "AMPARO_MESSAGING_THREADS": str(THREADS),
        "AMPARO_MESSAGING_LEASE_SECONDS": "3",
        "AMPARO_MESSAGING_RATE": "60",
        "AMPARO_MESSAGING_TIMEOUT": "5",
    }
    return env


def prepare(database: str, env: dict) -> int:
    subprocess.run([AMPARO, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    done = subprocess.run(
        [AMPARO, "shell", "-c", SETUP % {"people": PEOPLE}],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return int(done.stdout.split("campaign")[-1])


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [AMPARO, "worker", "--no-startup-delay", "--interval", "0.2"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill takes all of it
    )


def kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def counts(database: str, campaign: int) -> Counter:
    with psycopg.connect(_server_url(database)) as db:
        rows = db.execute(
            "SELECT state, count(*) FROM messaging_message WHERE campaign_id = %s GROUP BY state",
            [campaign],
        ).fetchall()
    return Counter(dict(rows))


def wait_for(what, seconds: float, log: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out; worker log:\n{log.read_text(errors='replace')[-3000:]}")


def outcome(database: str, campaign: int) -> tuple[str, list[tuple[str, str]]]:
    with psycopg.connect(_server_url(database)) as db:
        state = db.execute(
            "SELECT state FROM messaging_campaign WHERE id = %s", [campaign]
        ).fetchone()[0]
        rows = db.execute(
            "SELECT address, state FROM messaging_message WHERE campaign_id = %s", [campaign]
        ).fetchall()
    return state, rows


def check_nothing_lost_nothing_twice(database: str, campaign: int, provider: FakeProvider):
    state, rows = outcome(database, campaign)
    accepted = provider.accepted_per_address()
    states = Counter(s for _a, s in rows)
    assert state == "finished"
    assert len(rows) == PEOPLE
    assert set(states) <= {"sent", "unknown"}, states  # none queued, claimed or sending
    assert max(accepted.values()) == 1  # no address taken twice
    assert all(accepted[a] == 1 for a, s in rows if s == "sent")
    unknown = [a for a, s in rows if s == "unknown"]
    assert len(set(accepted) | {a for a in unknown if not accepted[a]}) == PEOPLE
    return states, unknown


def test_a_worker_killed_mid_campaign_loses_nothing_and_sends_nothing_twice(
    own_database, gateway, tmp_path
):
    env = environment(own_database, tmp_path, gateway, "+15550001111")
    campaign = prepare(own_database, env)
    log = tmp_path / "workers.log"

    first = start_worker(env, log)
    try:
        wait_for(lambda: counts(own_database, campaign)["sent"] >= 40, 60, log)
    finally:
        kill(first)
    sent_before = counts(own_database, campaign)["sent"]
    second = start_worker(env, log)
    try:
        wait_for(lambda: outcome(own_database, campaign)[0] == "finished", 90, log)
    finally:
        kill(second)

    states, unknown = check_nothing_lost_nothing_twice(own_database, campaign, gateway)
    print(f"sent before the kill: {sent_before}; at the end: {dict(states)}")
    assert 40 <= sent_before < PEOPLE  # killed midway
    assert len(unknown) <= THREADS  # only what was in the provider's hands at the kill


def test_two_workers_share_a_campaign_and_one_dying_loses_nothing(own_database, gateway, tmp_path):
    env_a = environment(own_database, tmp_path, gateway, "+15550000001")
    env_b = environment(own_database, tmp_path, gateway, "+15550000002")
    campaign = prepare(own_database, env_a)
    log = tmp_path / "workers.log"

    a, b = start_worker(env_a, log), start_worker(env_b, log)
    try:
        wait_for(lambda: counts(own_database, campaign)["sent"] >= 60, 60, log)
        kill(a)  # b takes back what a held once its lease runs out
        wait_for(lambda: outcome(own_database, campaign)[0] == "finished", 90, log)
    finally:
        kill(a)
        kill(b)

    states, unknown = check_nothing_lost_nothing_twice(own_database, campaign, gateway)
    senders = Counter(r.payload["From"] for r in gateway.accepted)
    print(f"by worker: {dict(senders)}; at the end: {dict(states)}")
    assert senders["+15550000001"] > 0 and senders["+15550000002"] > 0  # both took a share
    assert len(unknown) <= THREADS
