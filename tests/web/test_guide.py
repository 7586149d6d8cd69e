"""The user guide served at /guide/: the repository's docs/guide pages in both languages,
their screenshots, and the refusals (unknown pages, paths out of the image folder, raw
HTML)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from ksbb.web.public.guide_views import ROLES

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
       b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
       b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def docs(settings, tmp_path: Path) -> Path:
    """A docs folder of our own: one role page in each language and one screenshot."""
    guide = tmp_path / "docs" / "guide"
    for lang, title in (("id", "Panduan uji"), ("en", "Test guide")):
        (guide / lang).mkdir(parents=True)
        (guide / lang / "index.md").write_text(f"# {title}\n\n[Go](citizen.md)\n")
        (guide / lang / "citizen.md").write_text(
            f"# {title} & citizen\n\n![Dashboard](../img/15-dashboard-desktop.png)\n\n"
            "![Phone](../img/12-ketua-rw-confirm-phone.png)\n\n"
            "<script>alert('x')</script>\n\n[click](javascript:alert(1)) [home](index.md)\n")
    (guide / "img").mkdir()
    (guide / "img" / "15-dashboard-desktop.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(b"not for the public")
    (guide / "img" / "escape.png").symlink_to(tmp_path / "secret.png")
    settings.KSBB_DOCS_DIR = tmp_path / "docs"
    return tmp_path / "docs"


def test_the_repository_has_every_page_in_both_languages():
    guide = Path(django_settings.KSBB_DOCS_DIR) / "guide"
    for lang in ("id", "en"):
        for page in ["index", *ROLES]:
            assert (guide / lang / f"{page}.md").is_file(), (lang, page)


@pytest.mark.parametrize("page", ["", *[f"{role}/" for role in ROLES]])
def test_every_page_of_the_shipped_guide_is_served_in_both_languages(client, page):
    english = client.get(f"/guide/{page}")
    indonesian = Client().get(f"/guide/{page}")  # no cookie: Indonesian, the default
    assert english.status_code == indonesian.status_code == 200
    assert english.content != indonesian.content
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="id">' in indonesian.content.decode()
    assert "<h1" in english.content.decode()


def test_the_index_links_to_the_role_pages_by_their_site_addresses(client):
    english = client.get("/guide/").content.decode()
    assert "KSBB user guide" in english
    for role in ROLES:
        assert f'href="/guide/{role}/"' in english
    assert "Panduan pengguna KSBB" in Client().get("/guide/").content.decode()


def test_a_page_in_each_language_with_its_screenshots(client, docs):
    english = client.get("/guide/citizen/").content.decode()
    assert "<title>Test guide &amp; citizen · KSBB</title>" in english
    assert 'src="/guide/img/15-dashboard-desktop.png"' in english
    assert 'class="phone"' in english  # phone screenshots are not blown up on a desktop
    assert 'href="/guide/"' in english
    assert "Panduan uji" in Client().get("/guide/citizen/").content.decode()


def test_raw_html_is_shown_as_text_and_script_links_are_dropped(client, docs):
    body = client.get("/guide/citizen/").content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body
    assert "javascript:" not in body


def test_a_missing_language_falls_back_to_indonesian(client, docs):
    (docs / "guide" / "en" / "citizen.md").unlink()
    assert "Panduan uji" in client.get("/guide/citizen/").content.decode()


def test_screenshots_are_served(client, docs):
    response = client.get("/guide/img/15-dashboard-desktop.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize("path", [
    "/guide/img/escape.png",  # a link out of the image folder
    "/guide/img/..%2Fen%2Findex.md",
    "/guide/img/%2e%2e%2f%2e%2e%2fsecret.png",
    "/guide/img/../../secret.png",
    "/guide/img/.hidden.png",
    "/guide/img/missing.png",
    "/guide/img/index.md",
    "/guide/..%2F..%2FREADME/",
    "/guide/unknown-role/",
    "/guide/README/",
])
def test_paths_out_of_the_guide_are_refused(client, docs, path):
    assert client.get(path).status_code == 404


def test_without_the_docs_folder_the_guide_says_it_is_not_installed(client, settings,
                                                                    tmp_path):
    settings.KSBB_DOCS_DIR = tmp_path / "nowhere"
    for path in ("/guide/", "/guide/citizen/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "The user guide is not installed on this server." in response.content.decode()


def test_every_page_links_the_guide_in_its_footer(client):
    body = client.get("/").content.decode()
    footer = body[body.index('<footer'):]
    assert 'href="/guide/"' in footer
    assert "User guide" in footer
