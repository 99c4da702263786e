from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "amparo.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from amparo.cases import queries
        from amparo.core import access, twofactor

        # Whoever is on a GBV team reads restricted files, whatever their role.
        twofactor.add_requirement(queries.is_on_any_gbv_team)
        access.add_restricted_reader(queries.gbv_team_offices)
