"""Indonesian for the user guide pages (/guide/) and the accessibility fixes (issue #8)."""

ID = {
"User guide": "Panduan pengguna",
"All pages of the user guide": "Semua halaman panduan pengguna",
"The user guide is not installed on this server. Ask the platform administrator, or read it in the project's repository (folder docs/guide).": "Panduan pengguna belum terpasang di server ini. Tanyakan kepada administrator platform, atau baca di repositori proyek (folder docs/guide).",
}
