"""The feedback inbox for staff: the list, an entry's page and its actions, and recording what
arrived through another channel. Thin: parse → access → query or act → render. Who may read
what is `queries.entries_visible_to`; everyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amparo.core import access, audit
from amparo.core.forms import errors_on
from amparo.core.http import AuthenticatedRequest
from amparo.core.queries import history_for, offices_in_scope
from amparo.feedback import actions, queries, tracking
from amparo.feedback.forms import (
    AssignForm,
    ChangeForm,
    CloseForm,
    InboxFilterForm,
    NoteForm,
    RecordForm,
    ReplyForm,
)
from amparo.feedback.models import SENSITIVE, Category, FeedbackEntry, Status
from amparo.registry import queries as registry_queries

# The code given to the person waits here, in the session, between the POST and the page
# that shows it once.
SHOW_ONCE = "feedback.recorded"


def _require_reader(user) -> None:
    """404 unless the user's role reads feedback (an administrator's or superuser's does not)."""
    if not queries.reads_feedback(user):
        raise Http404


@login_required
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    """The entries the user may see, newest first (the most overdue first when filtering on
    overdue), 50 a page."""
    user = request.user
    _require_reader(user)
    categories = [
        c
        for c in Category.choices
        if queries.reads_sensitive(user) or c[0] not in SENSITIVE  # others never see them
    ]
    form = InboxFilterForm(
        request.GET or None,
        offices=offices_in_scope(user),
        categories=categories,
    )
    entries = queries.entries_visible_to(user)
    if form.is_valid():
        if form.cleaned_data.get("overdue"):
            entries = queries.overdue_for(user)
        entries = form.narrow(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "today": timezone.localdate(),
        "can_record": access.can_any(user, queries.RECORDERS),
    }
    return render(request, "feedback/inbox.html", context, status=400 if form.errors else 200)


@login_required
def entry_detail(request: AuthenticatedRequest, entry_id) -> HttpResponse:
    entry = queries.get_entry_for(request.user, entry_id)
    audit.record_view(request=request, target=entry)
    return _entry_page(request, entry)


def _entry_page(request, entry: FeedbackEntry, status: int = 200, **forms) -> HttpResponse:
    """An entry's page, with one form per action (a refused one bound, with its errors)."""
    user = request.user
    notes = list(queries.notes_of(entry))
    person_visible = (
        entry.individual_id is not None
        and registry_queries.individuals_visible_to(user).filter(pk=entry.individual_id).exists()
    )
    context = {
        "entry": entry,
        "notes": notes,
        "person_visible": person_visible,
        "overdue": entry.status != Status.CLOSED and entry.due_on < timezone.localdate(),
        "history": history_for(user, [str(entry.uuid), *(str(n.uuid) for n in notes)]),
        "change_form": forms.get("change_form")
        or ChangeForm(initial={"category": entry.category, "priority": entry.priority}),
        "assign_form": forms.get("assign_form")
        or AssignForm(
            colleagues=queries.colleagues_for(entry),
            initial={"assigned_to": entry.assigned_to.uuid if entry.assigned_to else None},
        ),
        "note_form": forms.get("note_form") or NoteForm(),
        "reply_form": forms.get("reply_form")
        or ReplyForm(initial={"public_reply": entry.public_reply}),
        "close_form": forms.get("close_form") or CloseForm(),
    }
    return render(request, "feedback/detail.html", context, status=status)


@login_required
@require_POST
def entry_change(request: AuthenticatedRequest, entry_id) -> HttpResponse:
    """Category and priority. Moved into a sensitive category, the entry leaves the user's
    sight for the ethics team's: back to the inbox, saying so."""
    user = request.user
    entry = queries.get_entry_for(user, entry_id)
    form = ChangeForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            actions.update_entry(actor=user, entry=entry, request=request, **form.cleaned_data)
            if not queries.entries_visible_to(user).filter(pk=entry.pk).exists():
                messages.success(
                    request,
                    _("Feedback %(reference)s was sent to the ethics team.")
                    % {"reference": entry.reference},
                )
                return redirect("feedback:inbox")
            messages.success(request, _("Category and priority saved."))
            return redirect("feedback:detail", entry.uuid)
        entry.refresh_from_db()
    return _entry_page(request, entry, status=400, change_form=form)


@login_required
@require_POST
def entry_assign(request: AuthenticatedRequest, entry_id) -> HttpResponse:
    user = request.user
    entry = queries.get_entry_for(user, entry_id)
    form = AssignForm(request.POST, colleagues=queries.colleagues_for(entry))
    if form.is_valid():
        with errors_on(form):
            assignee = form.cleaned_data["assigned_to"]
            actions.assign_entry(actor=user, entry=entry, assignee=assignee, request=request)
            messages.success(request, _("Assignment saved."))
            return redirect("feedback:detail", entry.uuid)
    return _entry_page(request, entry, status=400, assign_form=form)


@login_required
@require_POST
def entry_note(request: AuthenticatedRequest, entry_id) -> HttpResponse:
    user = request.user
    entry = queries.get_entry_for(user, entry_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            actions.add_note(
                actor=user, entry=entry, text=form.cleaned_data["text"], request=request
            )
            messages.success(request, _("Note added."))
            return redirect("feedback:detail", entry.uuid)
    return _entry_page(request, entry, status=400, note_form=form)


@login_required
@require_POST
def entry_reply(request: AuthenticatedRequest, entry_id) -> HttpResponse:
    user = request.user
    entry = queries.get_entry_for(user, entry_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            actions.reply(
                actor=user, entry=entry, text=form.cleaned_data["public_reply"], request=request
            )
            messages.success(request, _("Public reply saved."))
            return redirect("feedback:detail", entry.uuid)
    return _entry_page(request, entry, status=400, reply_form=form)


@login_required
@require_POST
def entry_close(request: AuthenticatedRequest, entry_id) -> HttpResponse:
    user = request.user
    entry = queries.get_entry_for(user, entry_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            actions.close_entry(
                actor=user,
                entry=entry,
                satisfaction=form.cleaned_data["satisfaction"],
                request=request,
            )
            messages.success(request, _("Feedback closed."))
            return redirect("feedback:detail", entry.uuid)
    return _entry_page(request, entry, status=400, close_form=form)


@login_required
def record(request: AuthenticatedRequest) -> HttpResponse:
    """Record feedback received through another channel; then show its tracking code once."""
    user = request.user
    access.require_any(user, queries.RECORDERS)
    if user.organization is None:
        raise Http404
    offices = offices_in_scope(user).filter(is_active=True)
    if request.method != "POST":
        own = offices.filter(pk=user.office_id).first()
        form = RecordForm(
            offices=offices,
            initial={"office": own, "received_at": timezone.localtime().replace(microsecond=0)},
        )
        return render(request, "feedback/record.html", {"form": form})
    form = RecordForm(request.POST, offices=offices)
    if form.is_valid():
        data = form.cleaned_data
        person = queries.registered_person(user, data["individual"])
        if data["individual"].strip() and person is None:
            form.add_error(
                "individual", _("No registered person with this id or reference that you can see.")
            )
        else:
            with errors_on(form):
                entry, code = actions.receive_feedback(
                    organization=user.organization,
                    actor=user,
                    channel=data["channel"],
                    office=data["office"],
                    category=data["category"],
                    text=data["text"],
                    contact=data["contact"],
                    received_at=data["received_at"],
                    individual=person,
                    request=request,
                )
                request.session[SHOW_ONCE] = {
                    "reference": entry.reference,
                    "code": tracking.shown(code),
                }
                return redirect("feedback:recorded")
    return render(request, "feedback/record.html", {"form": form}, status=400)


@login_required
def recorded(request: AuthenticatedRequest) -> HttpResponse:
    """The reference and tracking code of what the user just recorded, this once: the code is
    taken out of the session as it is shown, and Amparo keeps only its digest."""
    access.require_any(request.user, queries.RECORDERS)
    shown = request.session.pop(SHOW_ONCE, None)
    return render(request, "feedback/recorded.html", {"shown": shown})
