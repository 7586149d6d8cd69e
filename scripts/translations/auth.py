# Sign-in hardening: lockout, two-factor sign-in, account security, session expiry.
ID = {
# Lockout (django-axes).
"Sign-in paused": "Masuk dijeda",
"Too many failed sign-in attempts. Signing in with this account name or from this network is paused for %(minutes)s minutes.": "Terlalu banyak percobaan masuk yang gagal. Masuk dengan nama akun ini atau dari jaringan ini dijeda selama %(minutes)s menit.",
"Try again later. If you forgot your password, ask your organisation's administrator.": "Coba lagi nanti. Jika Anda lupa kata sandi, hubungi administrator organisasi Anda.",
# Sign-in page.
"Your session ended after a period of inactivity or after the longest time allowed. Please sign in again.": "Sesi Anda berakhir karena tidak ada aktivitas atau karena melewati batas waktu terlama. Silakan masuk lagi.",
# Header.
"Two-factor": "Verifikasi dua langkah",
# Setup.
"Set up two-factor sign-in": "Atur verifikasi dua langkah",
"Your role requires a second step at sign-in: a 6-digit code from an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator, FreeOTP or Aegis).": "Peran Anda mewajibkan langkah kedua saat masuk: kode 6 angka dari aplikasi autentikator di ponsel Anda (misalnya Google Authenticator, Microsoft Authenticator, FreeOTP atau Aegis).",
"A second step at sign-in protects your account even if someone learns your password: a 6-digit code from an authenticator app on your phone.": "Langkah kedua saat masuk melindungi akun Anda meskipun orang lain mengetahui kata sandi Anda: kode 6 angka dari aplikasi autentikator di ponsel Anda.",
"Open your authenticator app and scan this QR code.": "Buka aplikasi autentikator Anda dan pindai kode QR ini.",
"QR code for your authenticator app": "Kode QR untuk aplikasi autentikator Anda",
"Or type in this key:": "Atau ketik kunci ini:",
"Enter the 6-digit code the app shows.": "Masukkan kode 6 angka yang ditampilkan aplikasi.",
"Code": "Kode",
"Confirm and continue": "Konfirmasi dan lanjutkan",
"Cancel and sign out": "Batal dan keluar",
# Verify.
"Two-factor sign-in": "Verifikasi dua langkah",
"Enter the 6-digit code from your authenticator app. Without your phone, enter one of your backup codes.": "Masukkan kode 6 angka dari aplikasi autentikator Anda. Tanpa ponsel, masukkan salah satu kode cadangan Anda.",
"Verify": "Verifikasi",
"Lost your phone and your backup codes? Ask a platform administrator to reset your two-factor sign-in.": "Kehilangan ponsel dan kode cadangan? Minta administrator platform mengatur ulang verifikasi dua langkah Anda.",
# Errors.
"This authenticator is set up already.": "Autentikator ini sudah diatur.",
"The code is not valid. Enter the current 6-digit code from your authenticator app.": "Kode tidak valid. Masukkan kode 6 angka yang berlaku saat ini dari aplikasi autentikator Anda.",
"The code is not valid. Enter the current 6-digit code from your authenticator app, or one of your backup codes.": "Kode tidak valid. Masukkan kode 6 angka yang berlaku saat ini dari aplikasi autentikator Anda, atau salah satu kode cadangan Anda.",
"Too many wrong codes. Wait a few seconds, then enter the current code.": "Terlalu banyak kode yang salah. Tunggu beberapa detik, lalu masukkan kode yang berlaku saat ini.",
"Two-factor verification is required: finish signing in on the website, or use an API token.": "Verifikasi dua langkah diperlukan: selesaikan proses masuk di situs web, atau gunakan token API.",
# Backup codes.
"Backup codes": "Kode cadangan",
"Keep these codes somewhere safe, away from your phone. Each one signs you in once when you cannot use your authenticator app. They are shown only now.": "Simpan kode-kode ini di tempat aman, terpisah dari ponsel Anda. Setiap kode dapat dipakai sekali untuk masuk bila Anda tidak dapat memakai aplikasi autentikator. Kode hanya ditampilkan sekarang.",
"I have saved them, continue": "Sudah saya simpan, lanjutkan",
# Account security page.
"Account security": "Keamanan akun",
"On: signing in asks for a code from your authenticator app.": "Aktif: saat masuk, Anda diminta kode dari aplikasi autentikator.",
"Off: only your password protects your account.": "Nonaktif: akun Anda hanya dilindungi kata sandi.",
"Unused backup codes:": "Kode cadangan yang belum dipakai:",
"New backup codes": "Buat kode cadangan baru",
"Replace the authenticator app": "Ganti aplikasi autentikator",
"Turn two-factor sign-in off": "Nonaktifkan verifikasi dua langkah",
"Your role requires two-factor sign-in.": "Peran Anda mewajibkan verifikasi dua langkah.",
"Two-factor sign-in is turned off.": "Verifikasi dua langkah dinonaktifkan.",
"Password": "Kata sandi",
"Change password": "Ubah kata sandi",
"Changing your password signs you out on every other device.": "Mengubah kata sandi akan mengeluarkan Anda dari semua perangkat lain.",
"Your password is changed. You are signed out everywhere else.": "Kata sandi Anda sudah diubah. Anda telah dikeluarkan dari semua perangkat lain.",
# Admin.
"Deactivate and sign out everywhere": "Nonaktifkan dan keluarkan dari semua sesi",
"Accounts deactivated, their sessions and API tokens ended: %(count)d.": "Akun dinonaktifkan, sesi dan token API-nya diakhiri: %(count)d.",
"Reset two-factor sign-in (lost phone)": "Atur ulang verifikasi dua langkah (ponsel hilang)",
"Two-factor sign-in reset (set up again at the next sign-in): %(count)d accounts.": "Verifikasi dua langkah diatur ulang (diatur lagi saat masuk berikutnya): %(count)d akun.",
}
