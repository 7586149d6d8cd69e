"""The programmes and aid items KSBB starts with. Loaded by a data migration and by
``ksbb seed_programs``; both are idempotent and never overwrite an administrator's edits
of an existing programme or item."""

from __future__ import annotations

from typing import Any

# code, name, active, [(item code, item name, unit, value in rupiah)]
PROGRAMS: list[tuple[str, str, bool, list[tuple[str, str, str, int]]]] = [
    ("PANGAN", "KSBB Pangan", True, [
        ("sembako", "Paket sembako", "paket", 300_000),
        ("siap-saji", "Makanan siap saji", "paket", 25_000),
        ("parsel-lebaran", "Parsel Lebaran", "paket", 250_000),
        ("beras", "Beras", "kg", 12_000),
    ]),
    ("PENDIDIKAN", "KSBB Pendidikan", True, [
        ("alat-tulis", "Paket alat tulis sekolah", "paket", 150_000),
        ("kuota-belajar", "Kuota internet belajar", "paket", 100_000),
        ("tablet-belajar", "Tablet untuk belajar daring", "unit", 2_000_000),
    ]),
    ("UMKM", "KSBB UMKM", True, [
        ("modal-usaha", "Modal usaha mikro", "rupiah", 1),
        ("gerobak-usaha", "Gerobak usaha", "unit", 3_500_000),
        ("pelatihan-usaha", "Paket pelatihan usaha", "paket", 500_000),
    ]),
    ("PERMUKIMAN", "KSBB Penataan Permukiman", True, [
        ("bedah-rumah", "Bedah rumah", "unit", 50_000_000),
        ("bahan-bangunan", "Paket cat dan bahan bangunan", "paket", 1_500_000),
        ("air-bersih", "Sambungan air bersih", "unit", 2_500_000),
    ]),
    ("PERSAMPAHAN", "KSBB Persampahan", True, [
        ("tempat-sampah", "Tempat sampah terpilah", "unit", 750_000),
        ("komposter", "Komposter rumah tangga", "unit", 350_000),
        ("bank-sampah", "Paket bank sampah", "paket", 2_000_000),
    ]),
    ("SENI_BUDAYA", "KSBB Seni Budaya", False, [
        ("bantuan-seniman", "Bantuan hidup seniman", "paket", 600_000),
        ("alat-kesenian", "Paket alat kesenian", "paket", 1_000_000),
    ]),
    ("URBAN_FARMING", "KSBB Urban Farming", False, [
        ("bibit-sayur", "Bibit sayuran dan media tanam", "paket", 200_000),
        ("benih-lele", "Benih ikan lele", "paket", 300_000),
        ("hidroponik", "Paket hidroponik", "unit", 1_200_000),
    ]),
]


def seed_programs(program_model: Any, item_model: Any) -> int:
    """Create what is missing; return how many programmes and items were created."""
    created = 0
    for code, name, active, items in PROGRAMS:
        program, new = program_model.objects.get_or_create(
            code=code, defaults={"name": name, "is_active": active})
        created += new
        for item_code, item_name, unit, value in items:
            _, new = item_model.objects.get_or_create(
                code=item_code,
                defaults={"program": program, "name": item_name, "unit": unit,
                          "value_rupiah": value})
            created += new
    return created
