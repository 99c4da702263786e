from amparo.messaging.display import masked, sms_length


def test_sms_length_counts_gsm_ucs2_and_parts():
    assert (sms_length("a" * 160).segments, sms_length("a" * 161).segments) == (1, 2)
    assert sms_length("Qué día más lindo").gsm is False  # á is not GSM-7
    assert sms_length("ñandú" * 14).segments == 1  # 70 UCS-2 characters
    assert sms_length("ñandú" * 15).segments == 2
    assert sms_length("{" * 80).segments == 1  # two units each: 160
    assert sms_length("{" * 81).segments == 2
    assert sms_length("").segments == 0


def test_addresses_are_masked():
    assert masked("+593991234567") == "+5939•••••567"
    assert masked("ana.perez@example.org") == "a•••@example.org"
    assert masked("12345") == "•••45"
