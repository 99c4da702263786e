"""Card screens: a household's card (issue, replace, revoke, print), a cycle's batch of cards,
and the check-in by card number on the distribution screen."""

import re

import pytest
import segno
from django.urls import reverse

from amparo.assistance import actions
from amparo.assistance.card_views import qr_svg
from amparo.assistance.models import Card, Delivery
from amparo.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def cards_url(household, verb=""):
    name = f"assistance:household-cards-{verb}" if verb else "assistance:household-cards"
    return reverse(name, args=[household.uuid])


def checkin(client, cycle, number):
    return client.get(reverse("assistance:distribution", args=[cycle.uuid]), {"card": number})


def test_the_qr_carries_the_card_number_alone():
    svg = qr_svg("K7M29QXD4T8P")

    expected = segno.make("K7M29QXD4T8P", error="m", micro=False)
    assert svg == expected.svg_inline(omitsize=True, svgclass="qr", lineclass=None, border=2)
    assert expected.version == 1  # 12 symbols fit the smallest QR code (segno may raise M to Q)
    assert svg.startswith("<svg") and "<script" not in svg


def test_the_household_page_links_to_the_card_for_assistance_staff(
    client, officer, registrar, entitlement
):
    page = reverse("registry:household", args=[entitlement.household.uuid])

    client.force_login(officer)
    shown = client.get(page).content.decode()
    client.force_login(registrar)
    hidden = client.get(page).content.decode()

    assert cards_url(entitlement.household) in shown
    assert cards_url(entitlement.household) not in hidden


def test_issue_print_replace_and_revoke_on_the_household_card_page(client, officer, entitlement):
    target = entitlement.household
    client.force_login(officer)

    empty = client.get(cards_url(target))
    issued = client.post(cards_url(target, "issue"))
    card = Card.objects.get()
    printed = client.get(cards_url(target, "print"))
    reprinted = client.get(cards_url(target, "print"))
    no_reason = client.post(cards_url(target, "issue"), {"reason": ""})
    replaced = client.post(cards_url(target, "issue"), {"reason": "Tarjeta perdida"})
    new = Card.objects.get(revoked_at__isnull=True)
    revoked = client.post(cards_url(target, "revoke"), {"reason": "Robada"})
    after = client.get(cards_url(target)).content.decode()

    assert "Este hogar no tiene tarjeta en uso." in empty.content.decode()
    assert issued.status_code == 302
    html = printed.content.decode()
    assert card.display_token in html
    assert target.reference in html
    assert target.organization.name in html
    assert qr_svg(card.token) in html
    # Nothing about the people on the card: no member's name, document or birth date.
    head = target.members.get(is_head=True)
    for personal in (head.given_names, head.first_surname, str(head.date_of_birth.year)):
        assert personal not in _card_of(html)
    assert reprinted.content == printed.content  # a reprint is the same card
    assert no_reason.status_code == 400
    assert "Indique por qué se reemplaza la tarjeta en uso." in no_reason.content.decode()
    assert replaced.status_code == 302 and new.token != card.token
    assert revoked.status_code == 302
    assert "Este hogar no tiene tarjeta en uso." in after
    assert new.display_token in after and card.display_token in after  # both listed as revoked
    assert list(
        AuditEvent.objects.filter(action__startswith="assistance.card.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "assistance.card.viewed",
        "assistance.card.issued",
        "assistance.card.printed",
        "assistance.card.printed",
        "assistance.card.revoked",
        "assistance.card.issued",
        "assistance.card.revoked",
        "assistance.card.viewed",
    ]


def _card_of(html: str) -> str:
    return html[html.index('<div class="sheet">') :]


@pytest.mark.parametrize(
    ("role", "where"),
    [
        ("distribution_officer", "office_a2"),
        ("registration_officer", "office_a1"),
        ("caseworker", "office_a1"),
    ],
)
def test_card_screens_answer_404_out_of_scope(client, make_user, request, entitlement, role, where):
    stranger = make_user(role, office=request.getfixturevalue(where), username="x.stranger")
    target = entitlement.household
    client.force_login(stranger)

    answers = [
        client.get(cards_url(target)).status_code,
        client.post(cards_url(target, "issue")).status_code,
        client.post(cards_url(target, "revoke"), {"reason": "x"}).status_code,
        client.get(cards_url(target, "print")).status_code,
        client.get(reverse("assistance:cycle-cards", args=[entitlement.cycle.uuid])).status_code,
        client.post(
            reverse("assistance:cycle-cards-issue", args=[entitlement.cycle.uuid])
        ).status_code,
    ]

    assert answers == [404] * 6
    assert not Card.objects.exists()


def test_the_cycle_issues_cards_to_households_without_one_and_prints_them(
    client, manager, officer, cycle
):
    households = [e.household for e in cycle.entitlements.order_by("household__reference")]
    kept = actions.issue_card(actor=officer, household=households[0])
    client.force_login(manager)  # an M&E officer: no distribution, cards yes

    before = client.get(reverse("assistance:cycle-cards", args=[cycle.uuid])).content.decode()
    issued = client.post(reverse("assistance:cycle-cards-issue", args=[cycle.uuid]))
    batch = client.get(issued["Location"])
    everything = client.get(reverse("assistance:cycle-cards-print", args=[cycle.uuid]))
    again = client.post(reverse("assistance:cycle-cards-issue", args=[cycle.uuid]))

    assert "1 hogar no tiene tarjeta todavía." in before
    new = Card.objects.exclude(pk=kept.pk).get()
    assert new.household == households[1]
    assert batch.status_code == 200
    assert new.display_token in batch.content.decode()
    assert kept.display_token not in batch.content.decode()  # only the batch just issued
    shown = re.findall(r'class="id-card-number">([0-9A-Z-]+)<', everything.content.decode())
    assert shown == [kept.display_token, new.display_token]
    assert again.status_code == 302 and Card.objects.count() == 2
    event = AuditEvent.objects.filter(action="assistance.card.issued").order_by("pk").last()
    assert event.details == {"cycle": str(cycle.uuid)} and event.target_id == str(new.uuid)
    assert AuditEvent.objects.filter(action="assistance.card.printed").count() == 2


def test_checkin_by_card_shows_the_entitlement_then_delivers(client, officer, entitlement, head):
    card = actions.issue_card(actor=officer, household=entitlement.household)
    client.force_login(officer)

    shown = checkin(client, entitlement.cycle, card.display_token.lower())
    html = shown.content.decode()
    key = re.search(r'name="key" value="([^"]+)"', html[html.index('id="checkin-result"') :])
    done = client.post(
        reverse("assistance:deliver", args=[entitlement.uuid]),
        {"collected_by": str(head.uuid), "key": key.group(1)},
    )
    again = checkin(client, entitlement.cycle, card.token).content.decode()

    assert shown.status_code == 200
    assert shown.context["checkin"]["entitlement"] == entitlement
    assert 'id="checkin-who"' in html and "María José Pérez Gómez" in html
    assert done.status_code == 302
    assert Delivery.objects.get().entitlement == entitlement
    assert "Ya se entregó a las " in again and "por Rosa Pérez." in again
    assert 'id="checkin-who"' not in again
    assert AuditEvent.objects.filter(action="assistance.card.resolved").count() == 2


def test_checkin_refuses_a_revoked_or_unknown_card(client, officer, entitlement):
    card = actions.issue_card(actor=officer, household=entitlement.household)
    actions.revoke_card(actor=officer, card=card, reason="Perdida")
    client.force_login(officer)

    revoked = checkin(client, entitlement.cycle, card.display_token).content.decode()
    unknown = checkin(client, entitlement.cycle, "0000-0000-0000").content.decode()

    assert "Esta tarjeta fue revocada el " in revoked and "pida la tarjeta nueva." in revoked
    assert 'id="checkin-who"' not in revoked
    assert "Ninguna tarjeta tiene el número 0000-0000-0000." in unknown
    assert AuditEvent.objects.filter(action="assistance.card.refused").count() == 1


def test_checkin_of_a_household_with_nothing_in_this_cycle(
    client, officer, registrar, office_a1, cycle
):
    from tests.assistance.conftest import household

    late = household(registrar, office_a1, given_names="Luis")  # registered after the cycle
    card = actions.issue_card(actor=officer, household=late)
    client.force_login(officer)

    answer = checkin(client, cycle, card.token).content.decode()

    assert f"El hogar {late.reference} no tiene nada que retirar en este ciclo." in answer
