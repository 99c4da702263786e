"""What a partner reads of a referral is in words, in its language (issue 10, point 10)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from amparo.referrals import actions
from amparo.referrals.models import Provider, Service
from tests.factories import OrganizationFactory


@pytest.fixture
def hospital_org(db):
    return OrganizationFactory(code="hospital", name="Hospital", is_care_route_partner=True)


@pytest.fixture
def service(org_a, hospital_org):
    provider = Provider.objects.create(
        organization=org_a, name="Hospital del Lago", kind="health", agency=hospital_org
    )
    return Service.objects.create(provider=provider, type="health", name="Atención VBG")


@pytest.mark.django_db
def test_partner_reads_sex_and_nationality_as_words_in_its_language(
    client, case, caseworker, service, hospital_org, make_user
):
    person = case.individuals.first()
    person.languages = ["es", "fr"]
    person.save(update_fields=["languages"])
    referral = actions.send_referral(
        actor=caseworker,
        service=service,
        urgency="urgent",
        reason="Atención médica",
        shared_fields=["name", "sex", "nationality", "languages"],
        consent=True,
        consent_method="verbal",
        consent_date=timezone.localdate(),
        case=case,
        individual=person,
    )
    spanish = make_user("partner_focal_point", organization=hospital_org, username="enlace")
    english = make_user(
        "partner_focal_point", organization=hospital_org, username="liaison", language="en"
    )

    client.force_login(spanish)
    es_page = client.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()
    es_print = client.get(reverse("referrals:print", args=[referral.uuid])).content.decode()
    client.force_login(english)
    en_page = client.get(reverse("referrals:detail", args=[referral.uuid])).content.decode()

    assert "<dd>Femenino</dd>" in es_page and "<dd>Venezuela</dd>" in es_page
    assert "<dd>Español, Francés</dd>" in es_page
    assert "<dd>F</dd>" not in es_page and "<dd>VE</dd>" not in es_page
    assert "Femenino" in es_print and "Venezuela" in es_print
    assert "<dd>Female</dd>" in en_page and "<dd>Spanish, French</dd>" in en_page


@pytest.mark.django_db
def test_refused_referral_says_why_at_the_top_and_sent_one_is_confirmed(
    client, case, caseworker, service
):
    client.force_login(caseworker)
    url = f"{reverse('referrals:new')}?case={case.uuid}"
    data = {
        "individual": case.individuals.first().pk,
        "service": service.pk,
        "urgency": "routine",
        "reason": "Atención médica",
        "shared_fields": ["name"],
        "consent_method": "verbal",
        "consent_date": timezone.localdate().isoformat(),
    }

    refused = client.post(url, data)
    sent = client.post(url, data | {"consent": "on"}, follow=True)

    page = refused.content.decode()
    summary = page[
        page.index('id="error-summary"') : page.index('<form method="post" class="card"')
    ]
    assert refused.status_code == 400
    assert '<a href="#id_consent">' in summary and "Hospital del Lago" in summary
    referral = case.referrals.get()
    assert [str(m) for m in sent.context["messages"]] == [
        f"Derivación {referral.reference} enviada."
    ]
