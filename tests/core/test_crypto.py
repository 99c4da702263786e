import pytest
from cryptography.fernet import Fernet

from amparo.core import crypto


def test_encrypt_roundtrip_hides_the_text(settings):
    settings.AMPARO_FIELD_KEYS = [Fernet.generate_key().decode()]

    token = crypto.encrypt("Relato confidencial de la sobreviviente")

    assert "sobreviviente" not in token
    assert token.startswith("fernet:")
    assert crypto.decrypt(token) == "Relato confidencial de la sobreviviente"


def test_rotation_keeps_old_values_readable_and_moves_them_to_new_key(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.AMPARO_FIELD_KEYS = [old]
    token = crypto.encrypt("nota")

    settings.AMPARO_FIELD_KEYS = [new, old]
    rotated = crypto.rotate(token)
    settings.AMPARO_FIELD_KEYS = [new]

    assert crypto.decrypt(rotated) == "nota"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        crypto.decrypt(token)


def test_decrypt_refuses_plain_text():
    with pytest.raises(ValueError, match="not encrypted"):
        crypto.decrypt("texto plano")
