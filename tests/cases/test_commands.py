"""`amparo createuser … --gbv-team OFFICE`: deployments put a GBV specialist on a team by script."""

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from amparo.cases import queries
from amparo.cases.models import GBVTeamMember
from amparo.core.models import AuditEvent, User


def createuser(monkeypatch, *args: str) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a-long-enough-secret\n"))
    out = io.StringIO()
    call_command("createuser", "--password-stdin", "--organization", "org-a", *args, stdout=out)
    return out.getvalue()


def test_createuser_puts_a_gbv_specialist_on_the_office_team(db, monkeypatch, quito, gbv_case):
    out = createuser(
        monkeypatch,
        "--username", "rosa", "--office", "a1", "--role", "gbv_specialist", "--gbv-team", "a1",
    )  # fmt: skip

    rosa = User.objects.get(username="rosa")
    assert out.splitlines()[-1] == "rosa está en el equipo de VBG de a1."
    assert list(GBVTeamMember.objects.filter(user=rosa).values_list("office_id", flat=True)) == [
        quito.pk
    ]
    assert queries.cases_visible_to(rosa).filter(pk=gbv_case.pk).exists()
    event = AuditEvent.objects.get(action="cases.gbv_team.added", target_id=str(rosa.uuid))
    assert (event.actor_id, event.details) == (None, {"office": "a1"})


def test_createuser_gbv_team_accepts_the_office_name(db, monkeypatch, quito):
    createuser(
        monkeypatch,
        "--username", "rosa", "--office", "a1", "--role", "case_supervisor",
        "--gbv-team", "oficina a1",
    )  # fmt: skip

    assert GBVTeamMember.objects.filter(user__username="rosa", office=quito).exists()


@pytest.mark.parametrize(
    ("role", "team", "message"),
    [
        (
            "caseworker",
            "a1",
            "--gbv-team: Elija a un especialista en VBG",
        ),  # no GBV work in the role
        ("gbv_specialist", "a2", "--gbv-team: Esta persona trabaja en otra oficina."),
        ("gbv_specialist", "nowhere", "--gbv-team: oficina desconocida «nowhere» en org-a."),
        ("gbv_specialist", "b1", "--gbv-team: oficina desconocida «b1» en org-a."),
    ],
)
def test_createuser_gbv_team_refusals_create_nothing(
    db, monkeypatch, quito, office_a2, office_b1, role, team, message
):
    with pytest.raises(CommandError) as exc:
        createuser(
            monkeypatch,
            "--username", "rosa", "--office", "a1", "--role", role, "--gbv-team", team,
        )  # fmt: skip

    assert str(exc.value).startswith(message)
    assert not User.objects.filter(username="rosa").exists()
    assert not GBVTeamMember.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["core.user.created", "cases.gbv_team.added"])
