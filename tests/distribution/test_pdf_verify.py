from __future__ import annotations

import re
import threading
from collections import Counter

import pytest
import segno
from django.db import connection
from django.utils import timezone

from ksbb.distribution.models import Handover
from ksbb.distribution.pdf import BastPdfRenderer, verify_url
from ksbb.distribution.services import handover_create
from ksbb.verify.statements import qr_text, unb64url
from tests.distribution.conftest import draft_for, sign_all

pytestmark = pytest.mark.django_db

_RECT = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re")


def _qr_matrix_from_pdf(pdf: bytes) -> list[list[bool]]:
    rects = [tuple(float(v) for v in m.groups()) for m in _RECT.finditer(pdf)]
    sizes = Counter(round(w, 3) for _x, _y, w, h in rects if abs(w - h) < 1e-6)
    module = sizes.most_common(1)[0][0]
    cells = [(x, y) for x, y, w, _h in rects if round(w, 3) == module]
    x0, y1 = min(x for x, _y in cells), max(y for _x, y in cells)
    coords = {(round((y1 - y) / module), round((x - x0) / module)) for x, y in cells}
    n = max(max(r for r, _c in coords), max(c for _r, c in coords)) + 1
    return [[(r, c) in coords for c in range(n)] for r in range(n)]


def test_pdf_text_and_qr(cast, signed, settings):
    settings.KSBB_PUBLIC_URL = "https://ksbb.example.id/"
    pdf = BastPdfRenderer(signed, page_compression=False).render()
    assert pdf.startswith(b"%PDF-")
    url = f"https://ksbb.example.id/verify/{signed.code}/"
    assert verify_url(signed.code) == url
    for text in (signed.number, signed.fingerprint, url, "BERITA ACARA SERAH TERIMA",
                 "Paket sembako", "Executor", "Ketua_Rw", "Kelurahan", "PT Sembako"):
        assert text.encode() in pdf, text
    # Read the QR code back from the page stream: its dark modules are equal squares;
    # rebuild the module matrix and compare it with segno's encoding of exactly that URL
    # and the signed statement in its fragment (ksbb.proofs).
    text = qr_text(verify_url=url, statement=signed.seal.statement.encode(),
                   signature=unb64url(signed.seal.signature))
    assert _qr_matrix_from_pdf(pdf) == [[bool(v) for v in row]
                                        for row in segno.make(text, error="m").matrix]
    other = segno.make(verify_url("AAAAAAAAAAAA"), error="m").matrix
    assert _qr_matrix_from_pdf(pdf) != [[bool(v) for v in row] for row in other]
    compressed = BastPdfRenderer(signed).render()
    assert len(compressed) < len(pdf)


def test_pdf_of_draft_says_draft(cast, draft):
    pdf = BastPdfRenderer(draft, page_compression=False).render()
    assert b"DRAF" in pdf


def test_verify_page(client, cast, signed):
    r = client.get(f"/verify/{signed.code}/")
    assert r.status_code == 200
    body = r.content.decode()
    for text in (signed.number, signed.fingerprint, "Paket sembako", "40", "BAZNAS DKI",
                 "PT Sembako", "Valid", cast.recipient.name, "Executor", "Ketua_Rw"):
        assert text in body, text
    # Lower-case codes work too (typed by hand).
    assert client.get(f"/verify/{signed.code.lower()}/").status_code == 200


def test_verify_page_has_no_personal_data(client, cast, signed):
    from ksbb.donations.models import CollaboratorProfile

    profile = CollaboratorProfile.objects.get(organization=cast.collaborator_org)
    body = client.get(f"/verify/{signed.code}/").content.decode()
    assert profile.contact_email not in body
    for user in (cast.executor, cast.ketua_rw, cast.kelurahan):
        assert user.username not in body or user.username.title() in body
        if user.email:
            assert user.email not in body
    assert "NIK" not in body and "@" not in body
    assert not re.search(r"\b08\d{6,}\b", body)


def test_verify_unknown_and_draft_404(client, cast, draft):
    assert client.get("/verify/ZZZZZZZZZZZZ/").status_code == 404
    assert client.get(f"/verify/{draft.code}/").status_code == 404


def test_verify_superseded_links_to_new(client, cast, signed):
    line = signed.delivery.lines.get()
    new = handover_create(delivery=signed.delivery, date=timezone.localdate(),
                          lines={line.pk: 39}, address="Balai warga", supersedes=signed,
                          correction_reason="one damaged", by=cast.executor)
    sign_all(cast, new)
    new.refresh_from_db()
    body = client.get(f"/verify/{signed.code}/").content.decode()
    assert "Superseded" in body and f"/verify/{new.code}/" in body
    body = client.get(f"/verify/{new.code}/").content.decode()
    assert "Valid" in body and f"/verify/{signed.code}/" in body


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_numbering_has_no_duplicates(cast):
    from ksbb.distribution.services import bast_number_next
    from ksbb.donations.models import Program

    program = Program.objects.create(code="UJI", name="Uji paralel")
    on = timezone.localdate()
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        try:
            barrier.wait()
            for _i in range(5):
                from django.db import transaction

                with transaction.atomic():
                    numbers.append(bast_number_next(program=program, on=on))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert sorted(int(n.rsplit("/", 1)[1]) for n in numbers) == list(range(1, 41))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_handover_creation_unique_numbers(cast):
    from ksbb.distribution.services import delivery_deliver, delivery_dispatch, delivery_schedule
    from ksbb.donations.models import Item, Program
    from tests.distribution.conftest import make_allocation
    from tests.donations.conftest import setup_donations

    if not Program.objects.filter(code="PANGAN").exists():  # a flush removed the seed
        p = Program.objects.create(code="PANGAN", name="Pangan")
        Item.objects.create(program=p, code="sembako", name="Paket sembako", unit="paket",
                            value_rupiah=300_000)
        Item.objects.create(program=p, code="siap-saji", name="Makanan siap saji",
                            unit="paket", value_rupiah=50_000)
    don = setup_donations(cast)
    deliveries = []
    for _i in range(6):
        a = make_allocation(cast, don, quantity=2)
        d = delivery_schedule(allocations=[a], executor=cast.executor_org,
                              scheduled_for=timezone.localdate(), by=cast.assessor)
        delivery_dispatch(delivery=d, by=cast.executor)
        deliveries.append(delivery_deliver(delivery=d, by=cast.executor))
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(deliveries))

    def work(d) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            draft_for(d, cast.executor)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(d,)) for d in deliveries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    numbers = list(Handover.objects.values_list("number", flat=True))
    assert len(numbers) == 6 and len(set(numbers)) == 6
