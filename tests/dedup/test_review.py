"""Looking for duplicates in the registry and reviewing them: the run stores scored pairs with
their reasons; the queue shows only pairs whose two records the reviewer may see; decisions
are remembered; a merge from the pair's page; an administrator's undo."""

import csv

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from amparo.core.models import AuditEvent
from amparo.dedup import actions
from amparo.dedup.models import CandidatePair, Decision, Merge, Run
from amparo.registry import actions as registry_actions
from amparo.registry.models import Individual
from tests.case_fixtures import quito  # noqa: F401
from tests.factories import member


@pytest.fixture
def officer(make_user, quito):  # noqa: F811
    return make_user("registration_officer", office=quito, username="registro")


@pytest.fixture
def manager(make_user, org_a):
    return make_user("information_manager", organization=org_a, username="gestion")


def register(officer, office, **fields):
    household = registry_actions.register_household(
        actor=officer, office=office, members=[member(**fields)]
    )
    return household.members.get()


@pytest.fixture
def registry(officer, quito):  # noqa: F811
    """Two records of one woman (a nickname, a dropped surname, day and month swapped), and
    her sister, who shares surnames, phone and birthday but not the given names."""
    return {
        "maria": register(officer, quito, date_of_birth="1990-03-04"),
        "majo": register(
            officer,
            quito,
            given_names="Majo",
            second_surname="",
            date_of_birth="1990-04-03",
            documents=[{"type": "national_id", "number": "V12345678", "issuing_country": "VE"}],
        ),
        "sister": register(
            officer,
            quito,
            given_names="Carolina",
            date_of_birth="1990-03-04",
            documents=[{"type": "national_id", "number": "V-19.876.543", "issuing_country": "VE"}],
        ),
    }


@pytest.fixture
def scored(registry, manager, org_a):
    return actions.run_deduplication(
        organization=org_a,
        people=Individual.objects.filter(organization=org_a),
        started_by=manager,
        threshold=0.5,
    )


@pytest.mark.django_db
def test_a_run_stores_the_pairs_with_their_reasons(registry, scored):
    pair = CandidatePair.objects.get()
    assert {pair.first_id, pair.second_id} == {registry["maria"].pk, registry["majo"].pk}
    assert pair.probability >= 0.9
    assert pair.reasons["doc"] > 0 and pair.reasons["given"] > 0
    assert (scored.state, scored.people, scored.pairs) == ("finished", 3, 1)
    assert AuditEvent.objects.filter(action="dedup.run.finished").exists()


@pytest.mark.django_db
def test_the_queue_shows_pairs_the_reviewer_may_see(
    client,
    scored,
    manager,
    make_user,
    quito,  # noqa: F811
    office_a2,
):
    client.force_login(manager)
    page = client.get(reverse("dedup:queue"))
    assert page.status_code == 200
    assert "Majo Pérez" in page.content.decode()
    pair = CandidatePair.objects.get()
    assert client.get(reverse("dedup:pair", args=[pair.pk])).status_code == 200
    # Another office's officer, or a role without the permission: nothing, and 404.
    for user in (
        make_user("caseworker", office=quito),
        make_user("registration_officer", office=office_a2),
    ):
        client.force_login(user)
        assert client.get(reverse("dedup:pair", args=[pair.pk])).status_code == 404
        merge = client.post(reverse("dedup:merge", args=[pair.pk]), {"keep": "first"})
        assert merge.status_code == 404
    assert Individual.objects.count() == 3


@pytest.mark.django_db
def test_different_people_are_never_shown_again(client, scored, manager, org_a):
    pair = CandidatePair.objects.get()
    client.force_login(manager)
    answer = client.post(reverse("dedup:decide", args=[pair.pk]), {"verdict": "different"})
    assert answer.status_code == 302
    assert Decision.objects.get().verdict == "different"
    assert "Majo" not in client.get(reverse("dedup:queue")).content.decode()
    again = actions.run_deduplication(
        organization=org_a,
        people=Individual.objects.filter(organization=org_a),
        started_by=manager,
        threshold=0.5,
    )
    assert again.pairs == 1  # found again, and not shown
    assert "Majo" not in client.get(reverse("dedup:queue")).content.decode()
    pair = CandidatePair.objects.get(run=again)
    bad = client.post(reverse("dedup:decide", args=[pair.pk]), {"verdict": "maybe"})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_merge_from_the_pair_page_and_undo(client, registry, scored, manager, admin_a):
    pair = CandidatePair.objects.get()
    client.force_login(manager)
    bad = client.post(reverse("dedup:merge", args=[pair.pk]), {"keep": "third"})
    assert bad.status_code == 400 and not Merge.objects.exists()
    answer = client.post(
        reverse("dedup:merge", args=[pair.pk]), {"keep": "second", "take_given_names": "first"}
    )
    survivor = Individual.objects.get(pk=pair.second_id)
    assert answer["Location"] == reverse("registry:individual", args=[survivor.uuid])
    assert survivor.given_names == "María José"
    assert Individual.objects.count() == 2
    page = client.get(answer["Location"]).content.decode()
    assert "merged-records" in page
    assert client.get(reverse("dedup:merges")).status_code == 404  # the reviewer cannot undo
    client.force_login(admin_a)
    merge = Merge.objects.get()
    assert client.post(reverse("dedup:undo", args=[merge.uuid])).status_code == 302
    assert Individual.objects.count() == 3
    assert Individual.objects.get(pk=pair.second_id).given_names == "Majo"


@pytest.mark.django_db
def test_starting_a_run_from_the_screen(
    client, registry, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    bad = client.post(reverse("dedup:run"), {"threshold": "2"})
    assert bad.status_code == 400 and not Run.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("dedup:run"), {"threshold": "0.8"})
    assert answer.status_code == 302
    status = client.get(answer["Location"])  # jobs run in the test (conftest)
    assert status.status_code == 302
    assert Run.objects.get().state == "finished"
    client.force_login(Individual.objects.first().household.registered_by)
    assert client.post(reverse("dedup:run"), {"threshold": "0.8"}).status_code == 404


@pytest.mark.django_db
def test_the_command_runs_over_an_organization(registry, org_a, capsys):
    call_command("dedupe", "run", "--organization", org_a.code, "--threshold", "0.5")
    run = Run.objects.get()
    assert (run.people, run.pairs, run.started_by) == (3, 1, None)
    with pytest.raises(CommandError, match="org-x"):
        call_command("dedupe", "run", "--organization", "org-x")
    with pytest.raises(CommandError):
        call_command("dedupe", "run", "--organization", org_a.code, "--threshold", "1.5")
    assert Run.objects.count() == 1


@pytest.mark.django_db
def test_a_file_against_the_registry(registry, org_a, tmp_path):
    source = tmp_path / "agencia.csv"
    source.write_text(
        "cod,nombres,apellido1,apellido2,nacimiento,cedula\n"
        "X1,Maria Jose,Perez,Gomez,1990-03-04,V12345678\n"
        "X2,Pedro,Quispe,Mamani,1975-11-30,\n",
        encoding="utf-8",
    )
    output = tmp_path / "pares.csv"
    call_command(
        "dedupe",
        "file",
        str(source),
        "--id",
        "cod",
        "--map",
        "given_names=nombres,first_surname=apellido1,second_surname=apellido2,"
        "date_of_birth=nacimiento,document_number=cedula",
        "--output",
        str(output),
        "--threshold",
        "0.5",
        "--against-registry",
        org_a.code,
    )
    rows = list(csv.DictReader(output.open(encoding="utf-8")))
    found = {(row["id_a"], row["id_b"]) for row in rows}
    assert ("X1", str(registry["maria"].uuid)) in found
    assert ("X1", str(registry["majo"].uuid)) in found
    assert not any(row["id_a"] == "X2" for row in rows)
    assert not any(row["id_b"] == str(registry["sister"].uuid) for row in rows)
