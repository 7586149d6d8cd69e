"""The ideas forum (JDCN Forum) and the citizens' sign-up. Reading is public; writes go
through ksbb.forum.services, which check the actor again."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from ksbb.donations.models import Program
from ksbb.forum import services
from ksbb.forum.models import Idea
from ksbb.forum.selectors import ideas_list
from ksbb.web.errors import add_form_errors
from ksbb.web.limits import over_limit
from ksbb.web.permissions import PermissionRequiredMixin

# Citizens' sign-up.

class SignupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=200, required=False,
                           help_text=gettext_lazy("Shown with your ideas as first name and "
                                                  "initial."))
    email = forms.EmailField(label=gettext_lazy("E-mail"),
                             help_text=gettext_lazy("This is also your user name."))
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)


def signup_view(request: HttpRequest) -> HttpResponse:
    """A citizen account without organisation: enough to propose ideas, and to support
    them once the e-mail address is confirmed.

    A new address and a registered one get the same answer (the owner of a registered one
    gets a notice by e-mail), so that the page tells no one who has an account.
    """
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = over_limit(request, "signup", settings.KSBB_SIGNUP_RATE)
        if refused is not None:
            return refused
        try:
            services.citizen_register(**form.cleaned_data)
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _(
                "Thank you. We sent a message to %(email)s: open the link in it to confirm "
                "your address. Sign in with your e-mail address and password.")
                % {"email": form.cleaned_data["email"]})
            return redirect("login")
    return render(request, "public/signup.html", {"form": form},
                  status=400 if form.errors else 200)


# Ideas.

def idea_list(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "support")
    sort = sort if sort in ("support", "date") else "support"
    status = request.GET.get("status", "")
    status = status if status in Idea.Status.values else ""
    ideas = ideas_list(sort=sort, status=status or None, user=request.user)[:200]
    return render(request, "public/ideas.html", {
        "ideas": ideas, "sort": sort, "status": status, "statuses": Idea.Status.choices,
        "can_post": request.user.has_perm("forum.add_idea")})


class IdeaForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=services.TITLE_MAX)
    body = forms.CharField(label=gettext_lazy("Your idea"), max_length=services.BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 8}))
    program = forms.ModelChoiceField(label=gettext_lazy("Programme (optional)"),
                                     queryset=Program.objects.all(), required=False)


class IdeaCreateView(PermissionRequiredMixin, View):
    permission_required = "forum.add_idea"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "public/idea_form.html", {"form": IdeaForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = IdeaForm(request.POST)
        if form.is_valid():
            try:
                idea = services.idea_post(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your idea is published."))
                return redirect("web:idea", pk=idea.pk)
        return render(request, "public/idea_form.html", {"form": form}, status=400)


class AnswerForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Idea.Status.choices)
    answer = forms.CharField(label=gettext_lazy("Answer"), required=False,
                             max_length=services.BODY_MAX,
                             widget=forms.Textarea(attrs={"rows": 5}))


def _idea(request: HttpRequest, pk: int) -> Idea:
    return get_object_or_404(ideas_list(user=request.user), pk=pk)


def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    idea = _idea(request, pk)
    can_answer = request.user.has_perm("forum.answer_idea", idea)
    answer_form = AnswerForm(initial={"status": idea.status, "answer": idea.answer}) \
        if can_answer else None
    return render(request, "public/idea.html", {
        "idea": idea, "can_answer": can_answer, "answer_form": answer_form})


class _SupportView(View):
    """POST; from htmx the support box is sent back, otherwise the detail page."""

    unsupport = False

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"{reverse('login')}?next={reverse('web:idea', args=[pk])}")
        idea = get_object_or_404(Idea, pk=pk)
        fn = services.idea_unsupport if self.unsupport else services.idea_support
        error = ""
        try:
            fn(idea=idea, by=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if request.headers.get("HX-Request"):
            return render(request, "public/_idea_support.html",
                          {"idea": _idea(request, pk), "support_error": error})
        if error:
            messages.error(request, error)
        return redirect("web:idea", pk=pk)


class IdeaSupportView(_SupportView):
    unsupport = False


class IdeaUnsupportView(_SupportView):
    unsupport = True


class IdeaAnswerView(PermissionRequiredMixin, View):
    permission_required = "forum.answer_idea"

    def get_object(self) -> Idea:
        return get_object_or_404(Idea, pk=self.kwargs["pk"])

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.idea_answer(idea=self.get_object(), by=request.user,
                                     **form.cleaned_data)
            except ValidationError as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("The answer is published."))
                return HttpResponseRedirect(reverse("web:idea", args=[pk]))
        idea = _idea(request, pk)
        return render(request, "public/idea.html", {
            "idea": idea, "can_answer": True, "answer_form": form}, status=400)
