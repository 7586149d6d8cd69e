"""Texts added while integrating the hardening work."""

ID = {
    "The request contains a null character (\\0), which is not allowed.":
        "Permintaan berisi karakter nol (\\0), yang tidak diizinkan.",
    "(and %(n)s more)": "(dan %(n)s lainnya)",
    "contains control characters (for example a null byte)":
        "berisi karakter kontrol (misalnya byte nol)",
    "is longer than %(max)s characters": "lebih panjang dari %(max)s karakter",
    "starts with %(char)s, which spreadsheets run as a formula; remove it":
        "diawali %(char)s, yang dijalankan lembar kerja sebagai rumus; hapus karakter itu",
    "the file is not valid CSV (line %(line)s)": "berkas bukan CSV yang sah (baris %(line)s)",
    "the workbook unpacks to more than %(mb)s MB; split it into smaller files":
        "isi buku kerja lebih dari %(mb)s MB setelah dibuka; bagi menjadi beberapa berkas "
        "yang lebih kecil",
    "Menu": "Menu",
}
ID.update({
    "Too many requests; try again in %(seconds)s seconds.":
        "Terlalu banyak permintaan; coba lagi dalam %(seconds)s detik.",
    "Too many requests; try again later.": "Terlalu banyak permintaan; coba lagi nanti.",
})
