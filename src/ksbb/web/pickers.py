"""Fields that let people pick a place (and a recipient) by its name (issue 15).

:class:`AreaField` is the one field of every form that asks for an area: a text field read
back by :func:`ksbb.areas.selectors.area_resolve` ("Gambir", "Gambir RW 3",
"Gambir - Kec. Gambir - Kota Jakarta Pusat" or a Kemendagri code), with a translated error
that names the field and offers the close places when the text is unknown or ambiguous.
Without JavaScript it is that plain text field; with htmx its widget asks
``/areas/search/`` as the person types and shows the places found under the field
(ksbb/js/picker.js puts a picked one into the field, then offers the RWs of a picked
village).

:class:`RecipientField` does the same for the recipients of needs and allocations: an RW by
its place, an institution by its name, or the old ids (RW code, ``I-12``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from ksbb.areas.models import Area
from ksbb.areas.selectors import Resolution, area_by_code, area_label, area_resolve, area_search
from ksbb.core import areacodes
from ksbb.needs.models import Recipient
from ksbb.needs.selectors import recipients_visible_to
from ksbb.regions.selectors import area_filter as region_area_filter
from ksbb.regions.selectors import region_row

VILLAGE_OR_RW = (Area.Level.VILLAGE, Area.Level.RW)
_MAX_SHOWN = 5


class PickerInput(forms.TextInput):
    """A text input that asks ``url`` for suggestions as the person types (htmx)."""

    template_name = "ksbb/widgets/picker.html"

    def __init__(self, *, url_name: str = "web:area_search", levels: Iterable[int] = (),
                 attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false",
                                "autocapitalize": "words", **(attrs or {})})
        self.url_name = url_name
        self.levels = tuple(levels)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> Any:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        box = f"{widget_attrs.get('id') or name}-suggest"
        params = {"field": name}
        if self.levels:
            params["levels"] = ",".join(str(int(level)) for level in self.levels)
        widget_attrs.update({
            "hx-get": f"{reverse(self.url_name)}?{urlencode(params)}",
            "hx-trigger": "input changed delay:250ms, search",
            "hx-target": f"#{box}",
            "hx-sync": "this:replace",
            "aria-controls": box,
        })
        context["widget"]["suggest_id"] = box
        return context


def _places(areas: Iterable[Area]) -> str:
    return "; ".join(area_label(a) for a in list(areas)[:_MAX_SHOWN])


def _level_words(levels: Iterable[int]) -> str:
    return _(" or ").join(str(Area.Level(level).label) for level in levels)


def resolution_error(label: Any, result: Resolution, levels: Iterable[int]) -> str:
    """What went wrong, naming the field, with the places to choose from."""
    field = str(label)
    if result.problem == "unknown_code":
        return _("%(field)s: no area has the code %(code)s.") % {
            "field": field, "code": result.name}
    if result.problem == "ambiguous":
        return _("%(field)s: several places are called “%(name)s”. Add the district or "
                 "city, or pick one: %(places)s.") % {
            "field": field, "name": result.name, "places": _places(result.matches)}
    if result.problem == "no_rw":
        return _("%(field)s: no RW %(rw)s is registered in %(places)s.") % {
            "field": field, "rw": result.rw, "places": _places(result.matches)}
    if result.problem == "wrong_level":
        return _("%(field)s: choose a %(levels)s; %(places)s is not one.") % {
            "field": field, "levels": _level_words(levels), "places": _places(result.matches)
            or result.name}
    if result.matches:
        return _("%(field)s: no place is called “%(name)s”. Did you mean: %(places)s?") % {
            "field": field, "name": result.name, "places": _places(result.matches)}
    return _("%(field)s: no place is called “%(name)s”. Type the name of the village "
             "(kelurahan), for example Gambir, or Gambir RW 3, and pick it from the list.") % {
        "field": field, "name": result.name}


class AreaField(forms.CharField):
    """An area typed or picked by name (or code); cleans to the :class:`Area`."""

    def __init__(self, *, levels: Iterable[int] = (), **kwargs: Any) -> None:
        self.levels = tuple(levels) or tuple(Area.Level.values)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("widget", PickerInput(levels=self.levels))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        # The form shows the place's name, also when its initial value is a code.
        if isinstance(value, Area):
            return area_label(value)
        if isinstance(value, str) and areacodes.is_valid(value.strip()):
            area = area_by_code(value)
            return area_label(area) if area is not None else value
        return value

    def clean(self, value: Any) -> Area | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        result = area_resolve(text, levels=self.levels)
        if result.area is None:
            raise forms.ValidationError(resolution_error(self.label or _("Area"), result,
                                                         self.levels), code=result.problem)
        return result.area


class AreaFilterForm(forms.Form):
    """The ``within`` filter of a list page: a place by name or code."""

    within = AreaField(label=gettext_lazy("Area"), required=False)


def area_filter(request: HttpRequest) -> tuple[AreaFilterForm, str]:
    """The filter form (with its error when the text names no place) and the code of the
    place it names ("" for none)."""
    form = AreaFilterForm(request.GET if "within" in request.GET else None, auto_id="%s")
    if form.is_bound and form.is_valid() and form.cleaned_data["within"] is not None:
        return form, form.cleaned_data["within"].code
    return form, ""


# Recipients ----------------------------------------------------------------------------

def recipient_label(recipient: Recipient) -> str:
    """An RW recipient by its place; an institution by its name and place."""
    if recipient.kind == Recipient.Kind.RW:
        return area_label(recipient.area)
    return f"{recipient.name} - {area_label(recipient.area)}"


def recipients_of_region(region_key: int | None) -> Any:
    """The recipients of the region with primary key ``region_key`` (None: the default
    region): what a round's forms accept."""
    return Recipient.objects.filter(region_area_filter(region_row(region_key), "area__code"))


def _recipients(qs: Any) -> Any:
    return qs.select_related("area__parent__parent__parent__parent")


class RecipientField(forms.CharField):
    """A recipient picked by name: an RW by its place ("Gambir RW 1"), an institution by its
    name; the ids used so far (``31.71.01.1001.001``, ``I-12``) are still accepted."""

    def __init__(self, *, queryset: Any = None, **kwargs: Any) -> None:
        self.queryset = queryset if queryset is not None else Recipient.objects.all()
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("widget", PickerInput(url_name="web:recipient_search",
                                                levels=VILLAGE_OR_RW))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Recipient):
            return recipient_label(value)
        return value

    def clean(self, value: Any) -> Recipient | None:  # type: ignore[override]
        text = super().clean(value)
        if not text:
            return None
        field = str(self.label or _("Recipient"))
        qs = _recipients(self.queryset)
        if text.upper().startswith("I-") and text[2:].isdigit():
            found = qs.exclude(kind=Recipient.Kind.RW).filter(pk=int(text[2:])).first()
            if found is None:
                raise forms.ValidationError(_("%(field)s: no institution is known as "
                                              "%(value)s.") % {"field": field, "value": text})
            return found
        head = text.split(" - ", 1)[0].strip()
        institutions = list(qs.exclude(kind=Recipient.Kind.RW).filter(name__iexact=head))
        if len(institutions) > 1 and " - " in text:
            institutions = [r for r in institutions if recipient_label(r).casefold()
                            == " ".join(text.split()).casefold()] or institutions
        if len(institutions) == 1:
            return institutions[0]
        if len(institutions) > 1:
            raise forms.ValidationError(_(
                "%(field)s: several institutions are called “%(name)s”; pick one: "
                "%(places)s.") % {"field": field, "name": head, "places": "; ".join(
                    recipient_label(r) for r in institutions[:_MAX_SHOWN])})
        result = area_resolve(text, levels=[Area.Level.RW])
        if result.area is not None:
            found = qs.filter(kind=Recipient.Kind.RW, area=result.area).first()
            if found is not None:
                return found
            raise forms.ValidationError(_("%(field)s: %(place)s is not registered as a "
                                          "recipient.") % {"field": field,
                                                           "place": area_label(result.area)})
        raise forms.ValidationError(resolution_error(field, result, [Area.Level.RW]),
                                    code=result.problem)


# Suggestions ---------------------------------------------------------------------------

def _levels_param(request: HttpRequest) -> tuple[int, ...]:
    raw = request.GET.get("levels", "")
    levels = tuple(int(x) for x in raw.split(",") if x.strip().isdigit()
                   and int(x) in Area.Level.values)
    return levels or tuple(Area.Level.values)


def _typed(request: HttpRequest) -> str:
    field = request.GET.get("field", "q")
    return (request.GET.get(field) or request.GET.get("q") or "")[:200]


def _hits(areas: Iterable[Area], levels: tuple[int, ...]) -> list[dict[str, Any]]:
    hits = []
    for area in areas:
        label = area_label(area)
        head, _sep, rest = label.partition(" - ")
        hits.append({"label": label, "head": head, "rest": rest,
                     # Picking a village where RWs are wanted shows its RWs next.
                     "more": area.level == Area.Level.VILLAGE and Area.Level.RW in levels})
    return hits


def _fragment(request: HttpRequest, text: str, hits: list[dict[str, Any]]) -> HttpResponse:
    response = render(request, "ksbb/widgets/picker_suggestions.html",
                      {"hits": hits, "text": text})
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_GET
def area_suggestions(request: HttpRequest) -> HttpResponse:
    """The places whose name starts with the typed text, as a small HTML fragment (htmx)."""
    levels = _levels_param(request)
    text = _typed(request)
    return _fragment(request, text, _hits(area_search(text, levels=levels, limit=8), levels))


@require_GET
def recipient_suggestions(request: HttpRequest) -> HttpResponse:
    """Institutions by name, then places (an RW's recipient is named by its place)."""
    text = _typed(request).strip()
    hits: list[dict[str, Any]] = []
    if len(text) >= 2:
        visible = recipients_visible_to(request.user)
        head = text.split(" - ", 1)[0].strip()
        for r in _recipients(visible.exclude(kind=Recipient.Kind.RW).filter(
                Q(name__istartswith=head) | Q(name__icontains=f" {head}")))[:4]:
            label = recipient_label(r)
            hits.append({"label": label, "head": r.name, "rest": area_label(r.area),
                         "more": False})
        hits += _hits(area_search(text, levels=VILLAGE_OR_RW, limit=8 - len(hits)),
                      VILLAGE_OR_RW)
    return _fragment(request, text, hits)


__all__ = ["AreaField", "AreaFilterForm", "PickerInput", "RecipientField", "area_filter",
           "area_suggestions", "recipient_label", "recipient_suggestions",
           "recipients_of_region", "resolution_error"]
