from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "amparo.referrals"
    label = "referrals"
    verbose_name = _("Care Route")

    def ready(self) -> None:
        from amparo.cases import actions as case_actions
        from amparo.cases import queries as case_queries
        from amparo.referrals import actions, queries

        # The case's page lists its referrals with their onward chains.
        case_queries.read_referrals_with(queries.sent_from_case)
        # A withdrawal of consent withdraws the referrals it covers, in its transaction.
        case_actions.withdraw_referrals_with(actions.withdraw_for_consent)
