"""The user guide, one page per role, in the site: ``/guide/`` and ``/guide/<role>/``.

The pages are the Markdown files of ``docs/guide/<language>/`` (``settings.KSBB_DOCS_DIR``),
so the guide read on the repository and the one served are the same text; screenshots are
``docs/guide/img/*.png``, served at ``/guide/img/<file>``. Raw HTML in the Markdown is shown
as text, never passed through: the files are ours, but the page must stay safe even if one
is edited carelessly.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ksbb.web.files import file_response

ROLES = ["collaborator", "aggregator", "assessor", "executor", "kelurahan", "ketua-rw",
         "citizen", "journalist", "auditor", "admin"]
FALLBACK_LANGUAGE = "id"
_PAGE_LINK = re.compile(r"^([a-z0-9-]+)\.md(#[\w-]*)?$")
_IMAGE_SRC = re.compile(r"^\.\./img/([a-z0-9][a-z0-9-]*\.png)$")
_IMAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.png$")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")
_SAFE_SCHEMES = {"http", "https", "mailto"}


class _SiteLinks(Treeprocessor):
    """Links between guide files (``assessor.md``) and screenshots (``../img/x.png``) as
    they are written for reading on the repository, turned into the site's addresses."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attr in ("href", "src"):
                scheme = _SCHEME.match(element.get(attr, ""))
                if scheme and scheme.group(1).lower() not in _SAFE_SCHEMES:
                    del element.attrib[attr]  # javascript:, data: and the like
        for a in root.iter("a"):
            match = _PAGE_LINK.match(a.get("href", ""))
            if match:
                page, anchor = match.group(1), match.group(2) or ""
                url = reverse("web:guide") if page == "index" else (
                    reverse("web:guide_page", args=[page]) if page in ROLES else None)
                if url:
                    a.set("href", url + anchor)
        for img in root.iter("img"):
            match = _IMAGE_SRC.match(img.get("src", ""))
            if match:
                img.set("src", reverse("web:guide_image", args=[match.group(1)]))
                img.set("loading", "lazy")
                if match.group(1).endswith("-phone.png"):
                    img.set("class", "phone")  # a phone screenshot would fill a desktop


class _SafeSiteExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Python-Markdown's documented way to escape raw HTML (its old safe_mode is gone).
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_SiteLinks(md), "ksbb_site_links", 0)


def _guide_dir() -> Path:
    return Path(settings.KSBB_DOCS_DIR) / "guide"


def _source(page: str) -> Path | None:
    """The Markdown file of a page in the current language, else in Indonesian."""
    language = (get_language() or FALLBACK_LANGUAGE).split("-")[0]
    for lang in (language, FALLBACK_LANGUAGE):
        path = _guide_dir() / lang / f"{page}.md"
        if path.is_file():
            return path
    return None


def _render(request: HttpRequest, page: str) -> HttpResponse:
    source = _source(page)
    if source is None:
        return render(request, "public/guide.html", {"missing": True}, status=404)
    md = markdown.Markdown(extensions=["tables", "sane_lists", "toc", _SafeSiteExtension()],
                           output_format="html")
    body = md.convert(source.read_text(encoding="utf-8"))
    tokens = getattr(md, "toc_tokens", [])
    title = tokens[0]["name"] if tokens else ""
    return render(request, "public/guide.html", {
        "body": mark_safe(body),  # noqa: S308 (raw HTML escaped by _SafeSiteExtension)
        "title": mark_safe(title),  # noqa: S308 (toc escapes the heading's text)
        "is_index": page == "index",
    })


def guide_index(request: HttpRequest) -> HttpResponse:
    return _render(request, "index")


def guide_page(request: HttpRequest, role: str) -> HttpResponse:
    if role not in ROLES:
        raise Http404
    return _render(request, role)


def guide_image(request: HttpRequest, name: str) -> HttpResponseBase:
    img_dir = (_guide_dir() / "img").resolve()
    if not _IMAGE_NAME.match(name):
        raise Http404
    path = (img_dir / name).resolve()
    if not path.is_relative_to(img_dir) or not path.is_file():
        raise Http404
    return file_response(path.open("rb"), attachment=False, content_type="image/png",
                         cache_control="public, max-age=3600")
