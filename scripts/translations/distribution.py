# Deliveries, handover reports (BAST), field pages, public verification.
ID = {
"Distribution and handovers": "Distribusi dan serah terima",
# Models
"scheduled": "dijadwalkan", "dispatched": "diberangkatkan", "delivered": "terkirim",
"handed over": "diserahterimakan",
"scheduled for": "dijadwalkan untuk", "scheduled by": "dijadwalkan oleh",
"cancelled or failed": "dibatalkan atau gagal",
"delivery": "pengiriman", "deliveries": "pengiriman", "allocation": "alokasi",
"returned quantity": "jumlah dikembalikan",
"delivery line": "baris pengiriman", "delivery lines": "baris pengiriman",
"year": "tahun", "month": "bulan", "last number": "nomor terakhir",
"BAST number sequence": "urutan nomor BAST", "BAST number sequences": "urutan nomor BAST",
"draft, waiting for signatures": "draf, menunggu tanda tangan",
"signed": "ditandatangani",
"giver": "pihak yang menyerahkan", "receiver": "pihak yang menerima", "witness": "saksi",
"number": "nomor", "verification code": "kode verifikasi", "date": "tanggal",
"place (area)": "tempat (wilayah)", "latitude": "lintang", "longitude": "bujur",
"supersedes": "menggantikan", "reason for the correction": "alasan koreksi",
"giver's name": "nama pihak yang menyerahkan", "giver confirmed": "penyerah mengonfirmasi",
"receiver's name": "nama pihak yang menerima",
"receiver confirmed": "penerima mengonfirmasi",
"witness's name": "nama saksi", "witness confirmed": "saksi mengonfirmasi",
"signed paper BAST": "BAST kertas bertanda tangan",
"paper uploaded by": "kertas diunggah oleh", "paper uploaded": "kertas diunggah",
"paper accepted by": "kertas diterima oleh", "paper accepted": "kertas diterima",
"signed content": "isi yang ditandatangani",
"fingerprint (SHA-256)": "sidik jari (SHA-256)",
"handover report (BAST)": "berita acara serah terima (BAST)",
"handover reports (BAST)": "berita acara serah terima (BAST)",
"BAST": "BAST", "quantity handed over": "jumlah diserahterimakan",
"BAST line": "baris BAST", "BAST lines": "baris BAST", "SHA-256": "SHA-256",
"uploaded by": "diunggah oleh", "uploaded": "diunggah",
"BAST photo": "foto BAST", "BAST photos": "foto BAST",
# Services
"cannot return more than was allocated": "tidak dapat mengembalikan lebih dari yang dialokasikan",
"only the assessor or the aggregator's staff can schedule deliveries":
    "hanya asesor atau staf agregator yang dapat menjadwalkan pengiriman",
"choose at least one allocation": "pilih paling sedikit satu alokasi",
"an allocation is named twice": "sebuah alokasi disebut dua kali",
"choose an active executor organisation": "pilih organisasi pelaksana yang aktif",
"enter a date": "masukkan tanggal",
"an allocation does not exist": "sebuah alokasi tidak ada",
"allocation #%(id)s is not approved and active":
    "alokasi #%(id)s tidak disetujui dan aktif",
"allocation #%(id)s has nothing left to deliver":
    "alokasi #%(id)s tidak memiliki sisa untuk dikirim",
"allocation #%(id)s is already on a delivery": "alokasi #%(id)s sudah ada dalam pengiriman",
"allocation #%(id)s comes from another aggregator": "alokasi #%(id)s berasal dari agregator lain",
"a delivery goes to one recipient only": "satu pengiriman hanya untuk satu penerima",
"a delivery carries aid of one programme only":
    "satu pengiriman hanya membawa bantuan dari satu program",
"the delivery is %(state)s; this step is not possible now":
    "status pengiriman %(state)s; langkah ini tidak dapat dilakukan sekarang",
"only staff of the assigned executor can dispatch this delivery":
    "hanya staf pelaksana yang ditugaskan yang dapat memberangkatkan pengiriman ini",
"only staff of the assigned executor can mark this delivery delivered":
    "hanya staf pelaksana yang ditugaskan yang dapat menandai pengiriman ini terkirim",
"only the assessor, the aggregator or the executor can cancel this delivery":
    "hanya asesor, agregator atau pelaksana yang dapat membatalkan pengiriman ini",
"a handover report exists for this delivery; correct it instead":
    "sudah ada berita acara serah terima untuk pengiriman ini; koreksi berita acara tersebut",
"only staff of the assigned executor can report this delivery failed":
    "hanya staf pelaksana yang ditugaskan yang dapat melaporkan pengiriman ini gagal",
"only the assessor or the kelurahan officer can verify this delivery":
    "hanya asesor atau pendamping kelurahan yang dapat memverifikasi pengiriman ini",
"enter a number": "masukkan angka", "out of range": "di luar rentang",
"the place must be in the recipient's village": "tempat harus berada di kelurahan penerima",
"enter the address where the aid was handed over":
    "masukkan alamat tempat bantuan diserahterimakan",
"give both latitude and longitude, or neither":
    "isi lintang dan bujur sekaligus, atau kosongkan keduanya",
"the handover date cannot be in the future": "tanggal serah terima tidak boleh di masa depan",
"only staff of the assigned executor can write the handover report":
    "hanya staf pelaksana yang ditugaskan yang dapat membuat berita acara serah terima",
"the delivery is %(state)s; a handover report needs a delivered delivery":
    "status pengiriman %(state)s; berita acara serah terima memerlukan pengiriman yang sudah terkirim",
"this delivery has a handover report already; correct it instead":
    "pengiriman ini sudah memiliki berita acara serah terima; koreksi berita acara tersebut",
"a correction must be for the same delivery": "koreksi harus untuk pengiriman yang sama",
"only a signed handover report can be corrected; edit the draft instead":
    "hanya berita acara yang sudah ditandatangani yang dapat dikoreksi; ubah drafnya saja",
"this handover report has been corrected already": "berita acara ini sudah dikoreksi",
"line %(id)s is not part of this delivery": "baris %(id)s bukan bagian dari pengiriman ini",
"enter whole numbers, zero or more": "masukkan bilangan bulat, nol atau lebih",
"%(item)s: a correction cannot hand over more than the report it corrects (%(max)s); allocate again instead":
    "%(item)s: koreksi tidak dapat menyerahkan lebih dari berita acara yang dikoreksi (%(max)s); lakukan alokasi ulang",
"%(item)s: more than was delivered (%(max)s)": "%(item)s: lebih dari yang dikirim (%(max)s)",
"nothing was handed over: report the delivery as failed instead":
    "tidak ada yang diserahterimakan: laporkan pengiriman sebagai gagal",
"BAST %(number)s is signed and cannot be changed; write a correction instead":
    "BAST %(number)s sudah ditandatangani dan tidak dapat diubah; buat koreksi",
"only staff of the assigned executor can edit the handover report":
    "hanya staf pelaksana yang ditugaskan yang dapat mengubah berita acara serah terima",
"someone has confirmed this draft already; it cannot be edited":
    "draf ini sudah dikonfirmasi seseorang; tidak dapat diubah",
"unknown role": "peran tidak dikenal",
"only staff of the assigned executor can confirm as giver":
    "hanya staf pelaksana yang ditugaskan yang dapat mengonfirmasi sebagai pihak yang menyerahkan",
"only the recipient's representative can confirm as receiver":
    "hanya perwakilan penerima yang dapat mengonfirmasi sebagai pihak yang menerima",
"only the kelurahan officer of the village can confirm as witness":
    "hanya pendamping kelurahan setempat yang dapat mengonfirmasi sebagai saksi",
"a signed paper BAST was uploaded; it waits for acceptance":
    "BAST kertas bertanda tangan sudah diunggah; menunggu diterima",
"this party has confirmed already": "pihak ini sudah mengonfirmasi",
"one person cannot sign for two parties": "satu orang tidak dapat menandatangani untuk dua pihak",
"only staff of the assigned executor can add photos":
    "hanya staf pelaksana yang ditugaskan yang dapat menambahkan foto",
"only staff of the assigned executor can upload the paper BAST":
    "hanya staf pelaksana yang ditugaskan yang dapat mengunggah BAST kertas",
"a paper BAST was uploaded already": "BAST kertas sudah diunggah",
"the parties are confirming in the app already": "para pihak sudah mengonfirmasi di aplikasi",
"enter the receiver's name as signed on paper":
    "masukkan nama pihak yang menerima sesuai tanda tangan di kertas",
"enter the witness's name as signed on paper": "masukkan nama saksi sesuai tanda tangan di kertas",
"only the assessor or the kelurahan officer can accept a paper BAST":
    "hanya asesor atau pendamping kelurahan yang dapat menerima BAST kertas",
"no paper BAST has been uploaded": "belum ada BAST kertas yang diunggah",
# Uploads
"choose a file": "pilih berkas",
"the file is larger than %(mb)s MB": "berkas lebih besar dari %(mb)s MB",
"the file is empty": "berkas kosong",
"only JPEG, PNG or WebP images are accepted": "hanya gambar JPEG, PNG atau WebP yang diterima",
"only a PDF or a JPEG, PNG or WebP image is accepted":
    "hanya PDF atau gambar JPEG, PNG atau WebP yang diterima",
# Field pages
"Saved.": "Tersimpan.",
"Your confirmation was recorded.": "Konfirmasi Anda sudah dicatat.",
"Photo added.": "Foto ditambahkan.",
"The paper BAST was uploaded; it waits for acceptance.":
    "BAST kertas sudah diunggah; menunggu diterima.",
"The paper BAST was accepted.": "BAST kertas sudah diterima.",
"Deliveries": "Pengiriman", "All deliveries": "Semua pengiriman",
"No deliveries yet.": "Belum ada pengiriman.",
"Executor": "Pelaksana", "Scheduled for": "Dijadwalkan untuk",
"Dispatched": "Diberangkatkan", "Delivered": "Terkirim", "Handed over": "Diserahterimakan",
"Items": "Barang", "Returned": "Dikembalikan", "Dispatch": "Berangkatkan",
"Mark delivered": "Tandai terkirim",
"Handover report (BAST)": "Berita acara serah terima (BAST)",
"Handover reports": "Berita acara serah terima",
"Latitude": "Lintang", "Longitude": "Bujur",
"Write the handover report": "Buat berita acara serah terima",
"correction": "koreksi",
"Cancel this delivery": "Batalkan pengiriman ini", "Cancel delivery": "Batalkan pengiriman",
"Report the delivery failed": "Laporkan pengiriman gagal", "Delivery failed": "Pengiriman gagal",
"Delivery #%(id)s": "Pengiriman #%(id)s",
"Superseded by": "Digantikan oleh",
"A correction is being written:": "Koreksi sedang dibuat:",
"Delivery": "Pengiriman", "Place": "Tempat", "Corrects": "Mengoreksi",
"Fingerprint": "Sidik jari", "Public verification": "Verifikasi publik",
"Download PDF": "Unduh PDF", "Items handed over": "Barang yang diserahterimakan",
"Parties": "Para pihak", "Confirmed": "Dikonfirmasi", "Confirm": "Konfirmasi",
"on paper": "di atas kertas",
"A signed paper BAST was uploaded.": "BAST kertas bertanda tangan sudah diunggah.",
"Accepted": "Diterima", "Accept the paper BAST": "Terima BAST kertas",
"Number of photos": "Jumlah foto",
"Photo (JPEG, PNG or WebP, at most 5 MB)": "Foto (JPEG, PNG atau WebP, paling besar 5 MB)",
"Add photo": "Tambah foto", "Signed on paper instead": "Ditandatangani di atas kertas",
"Scan of the signed BAST (PDF or image)": "Pindaian BAST bertanda tangan (PDF atau gambar)",
"Receiver's name": "Nama pihak yang menerima", "Witness's name": "Nama saksi",
"Upload": "Unggah", "Write a correction": "Buat koreksi",
"Reason for the correction": "Alasan koreksi", "Write the correction": "Buat koreksi",
# Public verification
"Handover report %(number)s": "Berita acara serah terima %(number)s",
"Superseded": "Digantikan",
"This handover report was corrected. The valid report is:":
    "Berita acara ini telah dikoreksi. Berita acara yang berlaku:",
"Valid": "Sah", "Number": "Nomor", "Unit": "Satuan", "Signatories": "Penanda tangan",
"SHA-256 of the report's canonical content; the PDF prints the same value.":
    "SHA-256 dari isi kanonik berita acara; PDF mencetak nilai yang sama.",
"Warning: the stored content does not match its fingerprint.":
    "Peringatan: isi yang tersimpan tidak cocok dengan sidik jarinya.",
# Pledge trail
"Deliveries and handover reports": "Pengiriman dan berita acara serah terima",
"superseded": "digantikan",
}
