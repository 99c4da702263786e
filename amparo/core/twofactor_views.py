"""Two-factor sign-in screens: enter a code, set up an authenticator app, renew recovery
codes. `middleware.TwoFactorMiddleware` sends users here; the rules are in `twofactor.py`,
the writes in `actions.py`."""

from base64 import b32encode

import django_otp
import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from amparo.core import actions, twofactor
from amparo.core.forms import errors_on
from amparo.core.http import AuthenticatedRequest

# Until the code is entered every other page sends the user back here: no menu to follow.
NO_MENU: list[dict] = []


class CodeForm(forms.Form):
    otp = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


def _next_page(request: AuthenticatedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


@login_required
def verify(request: AuthenticatedRequest) -> HttpResponse:
    """Enter the authenticator's code (or a recovery code) to finish signing in."""
    user = request.user
    if twofactor.authenticator_of(user) is None:
        return redirect(f"{reverse('two_factor_setup')}?{request.GET.urlencode()}")
    if user.is_verified():  # type: ignore[attr-defined]  # django-otp's middleware adds it
        return redirect(_next_page(request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        with errors_on(form):
            device = actions.verify_second_factor(
                user=user, code=form.cleaned_data["otp"], request=request
            )
            request.session.cycle_key()  # a new session id for the now fully signed-in user
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = twofactor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _("You used a recovery code: %(left)s left. Renew them on the home page.")
                    % {"left": left},
                )
            return redirect(_next_page(request))
    context = {"form": form, "next": _next_page(request), "menu": NO_MENU}
    return render(
        request, "core/two_factor_verify.html", context, status=400 if form.is_bound else 200
    )


@login_required
def setup(request: AuthenticatedRequest) -> HttpResponse:
    """Add an authenticator app: scan the code (or type the key), confirm with one code, and
    get the recovery codes, shown once."""
    user = request.user
    if twofactor.authenticator_of(user) is not None:
        return redirect(f"{reverse('two_factor_verify')}?{request.GET.urlencode()}")
    device = actions.start_two_factor_enrolment(user=user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        with errors_on(form):
            device, codes = actions.confirm_two_factor_enrolment(
                user=user, code=form.cleaned_data["otp"], request=request
            )
            request.session.cycle_key()
            django_otp.login(request, device)
            return render(
                request,
                "core/two_factor_codes.html",
                {"codes": codes, "next": _next_page(request), "menu": NO_MENU},
            )
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "next": _next_page(request),
        "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "menu": NO_MENU,
    }
    return render(
        request, "core/two_factor_setup.html", context, status=400 if form.is_bound else 200
    )


@require_POST
@login_required
def renew_codes(request: AuthenticatedRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), shown once."""
    if twofactor.authenticator_of(request.user) is None:
        raise Http404
    codes = actions.renew_recovery_codes(user=request.user, request=request)
    return render(request, "core/two_factor_codes.html", {"codes": codes, "next": "/"})
