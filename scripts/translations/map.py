"""Indonesian for the coverage page, the coverage API and area boundaries (issue #6)."""

ID = {
"Need and coverage by area": "Kebutuhan dan cakupan per wilayah",
"Assessed need": "Kebutuhan terasesmen",
"Covered": "Tercakup",
"Coverage": "Cakupan",
"Map of coverage": "Peta cakupan",
"All regencies/cities": "Semua kabupaten/kota",
"No assessed need in this area yet.": "Belum ada kebutuhan terasesmen di wilayah ini.",
"This is the smallest area (RW).": "Ini wilayah terkecil (RW).",
"Code": "Kode",
"area boundary": "batas wilayah",
"area boundaries": "batas wilayah",
"geometry (GeoJSON)": "geometri (GeoJSON)",
}

PREFIX = {
"Assessed need in the open assessment rounds": "Kebutuhan terasesmen pada putaran asesmen yang terbuka, dan berapa banyak yang dicakup oleh alokasi yang disetujui (setelah dikurangi pengembalian).",
}
