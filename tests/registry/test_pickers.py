"""Where people are chosen (case, referral), namesakes are told apart by age and household;
the duplicate warning says why (issue 10, point 16)."""

import pytest
from django.urls import reverse

from amparo.registry import actions as registry_actions
from tests.case_fixtures import *  # noqa: F403
from tests.factories import member


def label(person) -> str:
    return f"{person.full_name} · {person.age} años · {person.household.reference}"


@pytest.mark.django_db
def test_open_case_picker_shows_age_and_household(client, caseworker, person, household):
    spouse = household.members.get(is_head=False)
    client.force_login(caseworker)

    page = client.get(f"{reverse('cases:open')}?individual={person.uuid}").content.decode()

    assert label(person) in page
    assert label(spouse) in page


@pytest.mark.django_db
def test_referral_picker_shows_age_and_household(client, caseworker, case, person):
    client.force_login(caseworker)

    response = client.get(f"{reverse('referrals:new')}?case={case.uuid}")

    assert response.status_code == 200
    assert label(person) in response.content.decode()


@pytest.mark.django_db
def test_duplicate_warning_says_why_instead_of_a_score(client, caseworker, household, quito):
    client.force_login(caseworker)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "20",
        "address": "",
        "phone": "",
        "duplicate_reason": "",
        "save": "1",
    }
    fields = member(given_names="Majo", second_surname="", document_number="V-12345678")
    fields.pop("documents")
    fields |= {"document_type": "national_id", "document_country": "VE", "age": ""}
    data |= {f"form-0-{k}": v for k, v in fields.items()}

    response = client.post(reverse("registry:register"), data)

    page = response.content.decode()
    assert response.status_code == 409
    assert (
        "Por qué: mismo documento, mismo teléfono, mismos nombres y primer apellido (uno no "
        "tiene segundo apellido), misma fecha de nacimiento" in page
    )
    assert "(1,00)" not in page


@pytest.mark.django_db
def test_search_page_date_filter_and_date_in_the_box(client, caseworker, quito, household):
    namesake = registry_actions.register_household(
        actor=caseworker,
        office=quito,
        members=[member(date_of_birth="1991-03-14", phone="", documents=[])],
    ).members.get()
    client.force_login(caseworker)

    by_filter = client.get(reverse("registry:search"), {"q": "Majo Pérez", "born": "1991-03-14"})
    in_box = client.get(reverse("registry:search"), {"q": "Majo Pérez 14/03/1991"})

    for response in (by_filter, in_box):
        assert response.status_code == 200
        assert [h.individual for h in response.context["hits"]] == [namesake]
