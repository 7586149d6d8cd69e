# What the full journey (tests/e2e/test_full_journey.py) found untranslated or added:
# the allocation engine's locality words, the need-left explanation, the schedule filter.
ID = {
"same RW": "RW yang sama",
"same village": "kelurahan/desa yang sama",
"same district": "kecamatan yang sama",
"same regency/city": "kota/kabupaten yang sama",
"same province": "provinsi yang sama",
"another province": "provinsi lain",
"assessed need minus what each recipient already received of the item, in this round or an earlier one":
    "kebutuhan yang dinilai dikurangi yang sudah diterima setiap penerima untuk barang ini, "
    "pada putaran ini atau putaran sebelumnya",
"Area code": "Kode wilayah",
"not known, or none": "tidak tahu, atau tidak ada",
"A regency, district or village code shows only the recipients there.":
    "Kode kota/kabupaten, kecamatan atau kelurahan hanya menampilkan penerima di wilayah itu.",
}
