import pytest
from django.utils import timezone

from amparo.core.errors import ActionError
from amparo.messaging import actions, delivery
from amparo.messaging.models import Campaign, Message, OptOut
from amparo.registry.models import Individual

pytestmark = pytest.mark.django_db


def test_a_campaign_writes_once_to_each_consenting_person_in_their_language(
    messenger, people, sms_template, console_log, django_capture_on_commit_callbacks
):
    campaign = actions.create_campaign(
        actor=messenger, name="Aviso", template=sms_template, filters={}
    )

    with django_capture_on_commit_callbacks(execute=True):
        actions.schedule_campaign(actor=messenger, campaign=campaign)

    campaign.refresh_from_db()
    sent = {line["to"]: line["text"] for line in console_log()}
    assert campaign.state == Campaign.State.FINISHED
    assert campaign.recipients == 3
    assert sorted(sent) == ["+593990000001", "+593990000002", "+593990000003"]
    assert sent["+593990000001"].startswith("Hola Ana:")
    assert sent["+593990000002"].startswith("Hello Bruno:")
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}


def test_an_opted_out_number_gets_nothing_from_the_next_campaign(
    messenger, people, sms_template, console_log, django_capture_on_commit_callbacks
):
    actions.opt_out(channel="sms", address="+593990000002", source="reply")
    campaign = actions.create_campaign(
        actor=messenger, name="Aviso", template=sms_template, filters={}
    )

    with django_capture_on_commit_callbacks(execute=True):
        actions.schedule_campaign(actor=messenger, campaign=campaign)

    assert sorted(line["to"] for line in console_log()) == ["+593990000001", "+593990000003"]


def test_an_opt_out_recorded_while_the_campaign_was_prepared_is_honoured_at_the_claim(
    messenger, people, sms_template, console_log, django_capture_on_commit_callbacks
):
    """The opt-out action cancels the queued messages it finds; a message inserted by a
    preparation that read the recipients just before the opt-out was written is caught when a
    worker claims it, with the rest of its batch, and never reaches the provider."""
    campaign = actions.create_campaign(
        actor=messenger, name="Aviso", template=sms_template, filters={}
    )
    with django_capture_on_commit_callbacks(execute=False):
        actions.schedule_campaign(actor=messenger, campaign=campaign)
    # What the preparation writes (tasks.prepare_campaign), its recipients read before the
    # opt-out below existed.
    Message.objects.bulk_create(
        Message(
            organization_id=campaign.organization_id,
            campaign=campaign,
            individual=person,
            channel="sms",
            address=person.phone,
            next_attempt_at=timezone.now(),
        )
        for person in Individual.objects.filter(contact_consent=True).exclude(phone="")
    )
    OptOut.objects.create(channel="sms", address="+593990000002", source=OptOut.Source.REPLY)

    claimed = delivery.claim(campaign.pk, 10)

    assert sorted(m.address for m in claimed) == ["+593990000001", "+593990000003"]
    cancelled = Message.objects.get(address="+593990000002")
    assert (cancelled.state, cancelled.claim, cancelled.error) == ("cancelled", None, "opted out")
    assert console_log() == []


def test_a_campaign_nobody_matches_is_refused(messenger, people, sms_template):
    campaign = actions.create_campaign(
        actor=messenger, name="Aviso", template=sms_template, filters={"languages": ["fr"]}
    )

    with pytest.raises(ActionError) as refused:
        actions.schedule_campaign(actor=messenger, campaign=campaign)

    assert "Nadie" in str(refused.value.messages) or "Nobody" in str(refused.value.messages)
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.DRAFT


def test_a_template_with_an_unknown_variable_is_refused(messenger):
    with pytest.raises(ActionError) as refused:
        actions.save_template(
            actor=messenger, name="Mal", channel="sms", body_es="Hola {nombre.__class__}"
        )

    assert "body_es" in refused.value.errors


def test_a_claimed_message_of_a_dead_worker_is_sent_again_a_sending_one_is_not(
    messenger, people, sms_template, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    campaign = actions.create_campaign(
        actor=messenger, name="Aviso", template=sms_template, filters={}
    )
    actions.schedule_campaign(actor=messenger, campaign=campaign)
    from amparo.messaging import tasks

    tasks.prepare_campaign.call(campaign.pk)
    first, second, _third = delivery.claim(campaign.pk, 3)
    Message.objects.filter(pk=second.pk).update(state=Message.State.SENDING)
    Message.objects.update(lease_until="2000-01-01T00:00:00Z")

    again, unknown = delivery.release_expired(campaign.pk)

    assert (again, unknown) == (2, 1)
    assert Message.objects.get(pk=second.pk).state == Message.State.UNKNOWN
    assert Message.objects.get(pk=first.pk).state == Message.State.QUEUED
