from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _rank(user, data, candidates) -> None:
    # Imported at the first check, not at start: DuckDB and Arrow stay out of processes
    # that never register anyone.
    from amparo.dedup import ranking

    ranking.rank(user, data, candidates)


class DedupConfig(AppConfig):
    name = "amparo.dedup"
    label = "dedup"
    verbose_name = _("Duplicate records")

    def ready(self) -> None:
        from amparo.registry import duplicates

        duplicates.add_ranker(_rank)
