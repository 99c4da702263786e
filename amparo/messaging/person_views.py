"""A message to one person, from their page or one of their cases, and the messages sent to
them. Thin: the rules are in `actions.individual`, the reads in `queries`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from amparo.cases import queries as case_queries
from amparo.core import audit
from amparo.core.forms import errors_on
from amparo.core.http import AuthenticatedRequest
from amparo.messaging import actions, queries
from amparo.messaging.person_forms import PersonMessageForm


@login_required
def new_message(request: AuthenticatedRequest, individual_id) -> HttpResponse:
    """GET the form; POST "preview" shows the text as it will leave; POST "send" queues it."""
    user = request.user
    person = queries.person_for_messages(user, individual_id)
    case_id = request.GET.get("case") or request.POST.get("case") or ""
    case = case_queries.get_case_for(user, case_id) if case_id else None
    if case is not None and not case.individuals.filter(pk=person.pk).exists():
        raise Http404  # a case about someone else
    channels = actions.channels_for(person)
    back = (
        reverse("cases:detail", args=[case.uuid])
        if case is not None
        else reverse("registry:individual", args=[person.uuid])
    )
    form = PersonMessageForm(
        request.POST if request.method == "POST" else None,
        channels=channels,
        templates=queries.templates_for_sending(user, channels),
    )
    context = {"person": person, "case": case, "form": form, "back": back, "preview": None}
    if not person.contact_consent or not channels:
        return render(request, "messaging/person_new.html", context)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        given = {
            "actor": user,
            "individual": person,
            "channel": data["channel"],
            "text": data["text"],
            "subject": data["subject"],
            "template": data["template"],
            "case": case,
        }
        with errors_on(form):
            if "send" not in request.POST:
                context["preview"] = actions.compose(**given)
                return render(request, "messaging/person_new.html", context)
            actions.send_to_person(**given, request=request)
            messages.success(request, _("The message is on its way."))
            return redirect(back)
    status = 400 if form.errors else 200
    return render(request, "messaging/person_new.html", context, status=status)


@login_required
def messages_page(request: AuthenticatedRequest, individual_id) -> HttpResponse:
    """The messages sent to this person: date, channel, state and (when kept) the text."""
    person = queries.person_for_messages(request.user, individual_id)
    audit.record_view(request=request, target=person)  # the texts sent are about them
    return render(
        request,
        "messaging/person_messages.html",
        {"person": person, "sent": queries.messages_to(request.user, person)[:100]},
    )
