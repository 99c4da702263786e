import pytest
from hypothesis import given
from hypothesis import strategies as st

from amparo.registry import normalize

names = st.text(
    alphabet=st.sampled_from("abcdefghijklmnñopqrstuvwxyzáéíóúüÁÉÍÓÚÑ -'"), min_size=0, max_size=40
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("José Núñez", "jose nunez"),
        ("  MARÍA-JOSÉ  ", "maria jose"),
        ("Peña O'Connor", "pena o connor"),
        ("Çağlar", "caglar"),
        ("", ""),
    ],
)
def test_fold_removes_accents_case_and_punctuation(raw, folded):
    assert normalize.fold(raw) == folded


def test_name_key_ignores_order_accents_and_particles():
    assert normalize.name_key("María José", "Pérez", "de la Cruz") == normalize.name_key(
        "Cruz Perez", "maria jose"
    )


@given(names, names)
def test_name_key_is_order_insensitive_for_any_two_parts(a, b):
    assert normalize.name_key(a, b) == normalize.name_key(b, a)


@given(names)
def test_fold_is_idempotent_and_ascii(text):
    once = normalize.fold(text)

    assert normalize.fold(once) == once
    assert once.isascii()
    assert once == once.strip()


@given(names)
def test_name_key_is_stable_under_accents_and_case(text):
    assert normalize.name_key(text.upper()) == normalize.name_key(normalize.fold(text))


@pytest.mark.parametrize(
    ("raw", "key"),
    [("V-12.345.678", "V12345678"), ("1712 345 678", "1712345678"), ("ab-123 c", "AB123C")],
)
def test_document_key_drops_separators(raw, key):
    assert normalize.document_key(raw) == key


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("099 123 4567", "EC", "+593991234567"),
        ("+593 99 123 4567", "PA", "+593991234567"),
        ("(0414) 555-1234", "VE", "+584145551234"),
        ("6123-4567", "PA", "+50761234567"),
        ("300 123 4567", "CO", "+573001234567"),
    ],
)
def test_phone_e164_reads_local_and_international_forms(raw, region, e164):
    assert normalize.phone_e164(raw, region) == e164


@pytest.mark.parametrize(
    ("raw", "region"), [("12345", "EC"), ("hola", "EC"), ("", "EC"), ("099 123 4567", "PA")]
)
def test_phone_e164_rejects_invalid_numbers(raw, region):
    with pytest.raises(normalize.InvalidPhone):
        normalize.phone_e164(raw, region)


@given(st.integers(min_value=0, max_value=9_999_999))
def test_phone_e164_any_ecuadorian_mobile_roundtrips(n):
    local = f"099{n:07d}"

    e164 = normalize.phone_e164(local, "EC")

    assert e164 == "+593" + local[1:]
    assert normalize.phone_e164(e164, "CO") == e164
