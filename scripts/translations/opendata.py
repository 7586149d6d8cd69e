ID = {
"Open data": "Data terbuka",
"Open data: download these figures (CSV, JSON, XLSX, HXL)":
    "Data terbuka: unduh angka-angka ini (CSV, JSON, XLSX, HXL)",
"Licence": "Lisensi",
"Download": "Unduh",
"CSV with HXL tags": "CSV dengan tag HXL",
"Data dictionary": "Kamus data",
"Column": "Kolom",
"Meaning": "Arti",
"Type": "Tipe",
"HXL tag": "Tag HXL",
"Programme code": "Kode program",
"Programme name": "Nama program",
'Aid item code ("money" for money not given as goods)':
    'Kode barang bantuan ("money" untuk uang yang belum dibelanjakan menjadi barang)',
"Aid item name": "Nama barang bantuan",
"Unit of the quantity": "Satuan jumlah",
"Value in rupiah (money received; goods at their item's value)":
    "Nilai dalam rupiah (uang yang diterima; barang menurut nilai barangnya)",
"Currency of the value (IDR)": "Mata uang nilai (IDR)",
"Deliveries by area and item": "Penyaluran menurut wilayah dan barang",
"Aid handed over, from the latest signed handover report (BAST) of each delivery, by date, "
"programme, aggregator, executor, item, kind of recipient and village.":
    "Bantuan yang diserahterimakan, dari berita acara serah terima (BAST) bertanda tangan "
    "terakhir setiap penyaluran, menurut tanggal, program, agregator, pelaksana, barang, "
    "jenis penerima dan kelurahan/desa.",
"Pledges by kind of collaborator": "Donasi menurut jenis kolaborator",
"Donations received by the aggregators, by week of receipt, programme, kind of collaborator, "
"aggregator and item or money. Individual donors are never named.":
    "Donasi yang diterima agregator, menurut minggu penerimaan, program, jenis kolaborator, "
    "agregator dan barang atau uang. Donatur perorangan tidak pernah disebut namanya.",
"Date of the signed BAST": "Tanggal BAST yang ditandatangani",
"Humanitarian organisation (aggregator) that supplied the aid":
    "Lembaga kemanusiaan (agregator) yang menyediakan bantuan",
"Executor that handed the aid over": "Pelaksana yang menyerahkan bantuan",
"Kind of recipient (code)": "Jenis penerima (kode)",
"Kind of recipient": "Jenis penerima",
"Regency/city code": "Kode kabupaten/kota",
"Regency/city name": "Nama kabupaten/kota",
"District code": "Kode kecamatan",
"District name": "Nama kecamatan",
"Village code": "Kode kelurahan/desa",
"Village name": "Nama kelurahan/desa",
"Recipients reached (RWs and institutions)": "Penerima yang dijangkau (RW dan lembaga)",
"Quantity handed over": "Jumlah yang diserahterimakan",
"Monday of the week the pledges were received": "Senin dari minggu donasi diterima",
"Kind of collaborator (code)": "Jenis kolaborator (kode)",
"Kind of collaborator": "Jenis kolaborator",
"Collaborator organisation; individuals as one group":
    "Organisasi kolaborator; perorangan digabung menjadi satu kelompok",
"Humanitarian organisation (aggregator) that received it":
    "Lembaga kemanusiaan (agregator) yang menerimanya",
"Number of pledges": "Jumlah donasi",
"Quantity of goods received (0 for money)": "Jumlah barang yang diterima (0 untuk uang)",
}

PREFIX = {
"The figures behind the public dashboard": "Angka-angka di balik dasbor publik, bebas diunduh dan digunakan kembali. Data ini tidak memuat data pribadi: tidak ada nama orang, nomor induk kependudukan (NIK), nomor telepon, alamat e-mail atau alamat jalan. Organisasi disebut namanya bila bertindak sebagai agregator atau pelaksana, dan bila donaturnya organisasi; donatur perorangan dihitung bersama sebagai \"Donatur perorangan\".",
"KSBB's own data is published under the": "Data milik KSBB diterbitkan di bawah lisensi %(licence)s: Anda boleh membagikan dan mengadaptasinya untuk tujuan apa pun, asalkan menyebut sumbernya \"KSBB — Kolaborasi Sosial Berskala Besar\".",
"Area codes and names derive from the Kemendagri compilation": "Kode dan nama wilayah berasal dari himpunan data Kemendagri yang berlisensi Open Database License (ODbL 1.0).",
"CSV files are UTF-8 with a header row": "Berkas CSV memakai UTF-8 dengan baris judul; versi HXL menambahkan baris kedua berisi tagar Humanitarian Exchange Language. Teks yang dapat dibaca spreadsheet sebagai rumus diawali tanda petik tunggal di CSV dan XLSX. Nilai dalam rupiah (IDR); tanggal mengikuti kalender Asia/Jakarta.",
}
