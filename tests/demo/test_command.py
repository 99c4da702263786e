import pytest
from django.core.management import CommandError, call_command

from amparo.core.models import Organization


@pytest.mark.django_db
def test_demo_refuses_too_few_households_before_writing_anything():
    with pytest.raises(CommandError, match="al menos 100 hogares"):
        call_command("demo", households=50)

    assert not Organization.objects.filter(code="hias-ec").exists()
