ID = {
    "Schedule deliveries": "Jadwalkan pengiriman",
    "Approved allocations not yet on a delivery, by recipient. Tick the lines for one recipient, choose the executor and the date.": "Alokasi yang sudah disetujui dan belum masuk pengiriman, per penerima. Centang baris untuk satu penerima, pilih pelaksana dan tanggalnya.",
    "Deliver": "Kirim",
    "Aid item": "Jenis bantuan",
    "Quantity": "Jumlah",
    "Source": "Sumber",
    "pledge": "donasi",
    "purchase": "pembelian",
    "Executor": "Pelaksana",
    "Delivery date": "Tanggal pengiriman",
    "Schedule delivery": "Jadwalkan pengiriman",
    "Nothing to schedule: no approved allocations are waiting for a delivery.": "Tidak ada yang perlu dijadwalkan: tidak ada alokasi disetujui yang menunggu pengiriman.",
    "Choose at least one allocation.": "Pilih paling sedikit satu alokasi.",
    "Choose an executor.": "Pilih pelaksana.",
    "Enter the delivery date as YYYY-MM-DD.": "Isi tanggal pengiriman dengan format TTTT-BB-HH.",
    "A delivery goes to one recipient: choose allocations of one recipient only.": "Satu pengiriman untuk satu penerima: pilih alokasi dari satu penerima saja.",
    "Delivery #%(id)s scheduled for %(recipient)s.": "Pengiriman #%(id)s dijadwalkan untuk %(recipient)s.",
}
ID.update({
    "lower-case letters, digits and dashes, e.g. sembako": "huruf kecil, angka dan tanda hubung, misalnya sembako",
    "statistics generation": "generasi statistik",
})
ID.update({"generation": "generasi"})
