from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "amparo.assistance"
    label = "assistance"
    verbose_name = _("Assistance")

    def ready(self) -> None:
        from amparo.activities import queries as activity_queries
        from amparo.assistance import queries_monitoring

        # A delivery is a service given: people reached count its household's members too,
        # each person once across services and deliveries.
        activity_queries.count_reached_with(queries_monitoring.individuals_reached_by_deliveries)
