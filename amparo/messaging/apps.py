from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "amparo.messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        from amparo.core import jobs
        from amparo.messaging import delivery

        # A worker that starts (after a crash, a kill, a deploy) picks up the campaigns that
        # were sending: their messages' rows say what is left.
        jobs.on_worker_start(delivery.resume)
