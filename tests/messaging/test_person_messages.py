"""A message to one person from their page or case (actions.individual, person_views)."""

import pytest
from django.http import Http404
from django.urls import reverse

from amparo.cases.models import GBVTeamMember
from amparo.core import queries as core_queries
from amparo.core.errors import ActionError
from amparo.core.models import AuditEvent
from amparo.messaging import actions
from amparo.messaging.models import Message
from amparo.registry.actions import register_household
from tests.activities.helpers import es, make_case
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker(make_user, office_a1):
    return make_user("caseworker", office=office_a1, username="caso.a1")


@pytest.fixture
def person(caseworker, office_a1):
    """María José at office A1: agrees to be contacted, has a phone and an e-mail."""
    return register_household(
        actor=caseworker,
        office=office_a1,
        members=[member(contact_consent=True, email="maria@example.org", documents=[])],
    ).members.get()


def household_of_one(actor, office, **given):
    return register_household(
        actor=actor, office=office, members=[member(documents=[], **given)]
    ).members.get()


def send(actor, person, **given):
    return actions.send_to_person(
        actor=actor, individual=person, **{"channel": "sms", "text": "Hola", **given}
    )


def test_an_sms_is_queued_then_sent_by_the_console_channel(
    caseworker, person, console_log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(caseworker, person, text="Hola {first_name}, su cita es mañana.")

    message.refresh_from_db()
    assert message.state == Message.State.SENT
    assert (message.campaign, message.sent_by, message.office) == (
        None,
        caseworker,
        person.household.office,
    )
    assert message.body == "Hola María, su cita es mañana."
    assert [(line["to"], line["text"]) for line in console_log()] == [
        ("+593991234567", "Hola María, su cita es mañana.")
    ]
    event = AuditEvent.objects.get(action="messaging.message.queued")
    assert event.target_id == str(person.uuid)
    assert event.details == {"channel": "sms", "message": str(message.uuid)}
    assert "Hola" not in str(event.details)


def test_an_email_uses_the_registry_address_and_needs_a_subject(caseworker, person):
    with pytest.raises(ActionError) as refused:
        send(caseworker, person, channel="email")
    assert "subject" in refused.value.errors

    message = send(caseworker, person, channel="email", subject="Su cita")

    assert (message.address, message.subject) == ("maria@example.org", "Su cita")


def test_a_template_is_rendered_for_the_person(caseworker, person, messenger, sms_template):
    message = send(caseworker, person, text="", template=sms_template)

    assert message.body.startswith("Hola María: el ")
    assert message.body.endswith(f"abre la regularización en {person.household.office.name}.")


def test_without_contact_consent_it_is_refused(caseworker, office_a1):
    person = household_of_one(caseworker, office_a1, contact_consent=False)

    with pytest.raises(ActionError) as refused:
        send(caseworker, person)

    assert refused.value.messages == [es("This person has not agreed to be contacted.")]
    assert not Message.objects.exists()


def test_without_an_address_on_the_channel_it_is_refused(caseworker, office_a1):
    person = household_of_one(caseworker, office_a1, contact_consent=True, phone="")

    with pytest.raises(ActionError) as refused:
        send(caseworker, person, channel="sms")
    with pytest.raises(ActionError):
        send(caseworker, person, channel="email", subject="Cita")

    assert "channel" in refused.value.errors
    assert actions.channels_for(person) == []
    assert not Message.objects.exists()


def test_an_empty_or_too_long_text_is_refused(caseworker, person):
    for text in ("  ", "x" * 641):
        with pytest.raises(ActionError) as refused:
            send(caseworker, person, text=text)
        assert "text" in refused.value.errors


def test_a_campaign_opt_out_does_not_stop_a_message_to_one_person(
    caseworker, person, console_log, django_capture_on_commit_callbacks
):
    actions.opt_out(channel="sms", address=person.phone, source="reply")

    with django_capture_on_commit_callbacks(execute=True):
        message = send(caseworker, person)

    message.refresh_from_db()
    assert message.state == Message.State.SENT


def test_a_person_of_another_office_is_not_found_for_an_office_bound_role(
    make_user, person, office_a2
):
    elsewhere = make_user("caseworker", office=office_a2, username="caso.a2")

    with pytest.raises(Http404):
        send(elsewhere, person)


def test_a_person_of_another_organization_is_not_found(make_user, person, office_b1):
    other = make_user("caseworker", office=office_b1, username="caso.b1")

    with pytest.raises(Http404):
        send(other, person)


def test_a_role_without_messaging_send_is_not_found(make_user, person, office_a1, client):
    distributor = make_user("distribution_officer", office=office_a1, username="dist.a1")

    with pytest.raises(Http404):
        send(distributor, person)

    client.force_login(distributor)
    assert client.get(reverse("messaging_person:new", args=[person.uuid])).status_code == 404
    assert client.get(reverse("messaging_person:list", args=[person.uuid])).status_code == 404


@pytest.mark.parametrize("role", ["caseworker", "registration_officer", "gbv_specialist"])
def test_roles_with_messaging_send_open_the_screens(make_user, person, office_a1, client, role):
    client.force_login(make_user(role, office=office_a1, username=f"{role}.x"))

    assert client.get(reverse("messaging_person:new", args=[person.uuid])).status_code == 200
    assert client.get(reverse("messaging_person:list", args=[person.uuid])).status_code == 200


def test_screens_of_another_office_answer_404(make_user, person, office_a2, office_b1, client):
    for office in (office_a2, office_b1):
        client.force_login(make_user("caseworker", office=office, username=f"c.{office.code}"))
        assert client.get(reverse("messaging_person:new", args=[person.uuid])).status_code == 404
        assert client.get(reverse("messaging_person:list", args=[person.uuid])).status_code == 404


def test_the_page_previews_then_sends_and_lists_the_message(
    caseworker, person, client, console_log, django_capture_on_commit_callbacks
):
    client.force_login(caseworker)
    url = reverse("messaging_person:new", args=[person.uuid])
    form = {"channel": "sms", "text": "Hola {first_name}", "preview": "1"}

    preview = client.post(url, form)
    assert preview.status_code == 200
    assert "Hola María" in preview.content.decode()
    assert not Message.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {**form, "send": "1"})
    assert sent.status_code == 302
    assert sent.url == reverse("registry:individual", args=[person.uuid])

    listed = client.get(reverse("messaging_person:list", args=[person.uuid])).content.decode()
    assert "Hola María" in listed
    assert len(console_log()) == 1


def test_the_page_refuses_a_person_without_consent(caseworker, office_a1, client):
    person = household_of_one(caseworker, office_a1, contact_consent=False)
    client.force_login(caseworker)

    page = client.get(reverse("messaging_person:new", args=[person.uuid])).content.decode()

    assert es("This person has not agreed to be contacted.") in page
    assert 'name="text"' not in page


def test_the_page_offers_only_the_channels_with_an_address(caseworker, office_a1, client):
    person = household_of_one(caseworker, office_a1, contact_consent=True)  # phone, no e-mail
    client.force_login(caseworker)

    page = client.get(reverse("messaging_person:new", args=[person.uuid])).content.decode()

    assert 'value="sms"' in page
    assert 'value="email"' not in page


def test_person_page_links_to_messages_only_with_messaging_send(
    caseworker, person, make_user, office_a1, client
):
    new = reverse("messaging_person:new", args=[person.uuid])
    page = reverse("registry:individual", args=[person.uuid])

    client.force_login(caseworker)
    assert new in client.get(page).content.decode()
    client.force_login(make_user("distribution_officer", office=office_a1, username="d.a1"))
    assert new not in client.get(page).content.decode()


@pytest.fixture
def gbv_specialist(make_user, office_a1):
    return make_user("gbv_specialist", office=office_a1, username="vbg.a1")


@pytest.fixture
def gbv_case(office_a1, gbv_specialist, person):
    return make_case(
        office=office_a1,
        owner=gbv_specialist,
        household=person.household,
        restricted=True,
        team=[gbv_specialist],
    )


def test_a_message_about_a_restricted_case_keeps_no_text_and_only_the_gbv_team_sees_it(
    gbv_specialist,
    gbv_case,
    person,
    caseworker,
    console_log,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(gbv_specialist, person, text="Su cita es el lunes.", case=gbv_case)

    message.refresh_from_db()
    assert message.state == Message.State.SENT
    assert (message.body, message.body_kept) == ("", False)
    assert message.restricted_office == gbv_case.office
    assert console_log()[0]["text"] == "Su cita es el lunes."
    event = AuditEvent.objects.get(action="messaging.message.queued")
    assert event.restricted_office_id == gbv_case.office_id

    def history(user):
        return [e.action for e in core_queries.history_for(user, [str(person.uuid)])]

    assert "messaging.message.queued" in history(gbv_specialist)
    assert "messaging.message.queued" not in history(caseworker)
    assert list(actions_messages(gbv_specialist, person)) == [message]
    assert list(actions_messages(caseworker, person)) == []


def actions_messages(user, person):
    from amparo.messaging.queries import messages_to

    return messages_to(user, person)


def test_the_restricted_case_page_shows_text_not_kept(
    gbv_specialist, gbv_case, person, client, django_capture_on_commit_callbacks
):
    client.force_login(gbv_specialist)
    url = reverse("messaging_person:new", args=[person.uuid]) + f"?case={gbv_case.uuid}"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"channel": "sms", "text": "Cita el lunes", "send": "1"})
    assert sent.status_code == 302
    assert sent.url == reverse("cases:detail", args=[gbv_case.uuid])

    listed = client.get(reverse("messaging_person:list", args=[person.uuid])).content.decode()

    assert "Cita el lunes" not in listed
    assert es("text not kept (restricted case)") in listed


def test_a_case_the_actor_is_not_on_is_not_found(caseworker, gbv_case, person):
    with pytest.raises(Http404):
        send(caseworker, person, case=gbv_case)


def test_a_gbv_team_member_of_another_office_does_not_see_the_event(
    make_user, office_a2, gbv_specialist, gbv_case, person
):
    send(gbv_specialist, person, case=gbv_case)
    other = make_user("gbv_specialist", office=office_a2, username="vbg.a2")
    GBVTeamMember.objects.create(office=office_a2, user=other)

    assert not AuditEvent.objects.filter(
        action="messaging.message.queued", restricted_office=office_a2
    ).exists()
    seen = [e.action for e in core_queries.history_for(other, [str(person.uuid)])]
    assert "messaging.message.queued" not in seen


def test_the_page_with_a_case_about_someone_else_is_not_found(
    caseworker, gbv_specialist, gbv_case, office_a1, client
):
    stranger = household_of_one(caseworker, office_a1, contact_consent=True)
    client.force_login(gbv_specialist)

    url = reverse("messaging_person:new", args=[stranger.uuid]) + f"?case={gbv_case.uuid}"

    assert client.get(url).status_code == 404
    assert client.get(url.replace(str(gbv_case.uuid), "not-a-uuid")).status_code == 404
