# Allocation runs, proposed lines, allocations; needs wired to the donations catalogue.
ID = {
# Models.
"proposed, waiting for review": "diusulkan, menunggu tinjauan",
"approved": "disetujui",
"discarded": "dibuang",
"progress (%)": "kemajuan (%)",
"progress": "kemajuan",
"summary": "ringkasan",
"error": "galat",
"started by": "dimulai oleh",
"started": "dimulai",
"approved by": "disetujui oleh",
"allocation run": "putaran alokasi",
"allocation runs": "putaran alokasi",
"run": "putaran",
"proposed quantity": "jumlah usulan",
"locality": "kedekatan wilayah",
"locality cost per unit": "biaya kedekatan per satuan",
"edited by": "diubah oleh",
"proposed line": "baris usulan",
"proposed lines": "baris usulan",
"empty for a manual allocation": "kosong untuk alokasi manual",
"allocations": "alokasi",
# Services.
"the quantity must be a whole number of at least %(min)s":
    "jumlah harus bilangan bulat paling sedikit %(min)s",
"%(supply)s is not received goods": "%(supply)s bukan barang yang sudah diterima",
"%(supply)s was given for another recipient": "%(supply)s diberikan untuk penerima lain",
"%(supply)s may only go to recipients inside area %(area)s":
    "%(supply)s hanya boleh diberikan kepada penerima di dalam wilayah %(area)s",
"%(supply)s is another aid item than the need":
    "%(supply)s berupa jenis bantuan yang berbeda dari kebutuhan",
"pledge #%(id)s has only %(left)s left, %(asked)s were asked":
    "janji donasi #%(id)s hanya tersisa %(left)s, diminta %(asked)s",
"purchase #%(id)s has only %(left)s left, %(asked)s were asked":
    "pembelian #%(id)s hanya tersisa %(left)s, diminta %(asked)s",
"%(recipient)s needs only %(left)s more of %(item)s, %(asked)s were asked":
    "%(recipient)s hanya membutuhkan %(left)s lagi %(item)s, diminta %(asked)s",
"a run of this round is already in progress":
    "putaran alokasi untuk ronde ini sedang berjalan",
"building the problem": "menyusun persoalan",
"solving": "menghitung",
"saving the proposal": "menyimpan usulan",
"proposal ready": "usulan siap",
"the run is %(state)s, not waiting for review":
    "putaran ini berstatus %(state)s, bukan menunggu tinjauan",
"%(supply)s has only %(left)s left for this line":
    "%(supply)s hanya tersisa %(left)s untuk baris ini",
"%(recipient)s needs only %(left)s more of %(item)s":
    "%(recipient)s hanya membutuhkan %(left)s lagi %(item)s",
"the run is %(state)s and cannot be discarded":
    "putaran ini berstatus %(state)s dan tidak dapat dibuang",
"choose a pledge or a purchase": "pilih janji donasi atau pembelian",
"pledge": "janji donasi",
"purchase": "pembelian",
"the aid item is required": "jenis bantuan wajib diisi",
"no aid item has the code %(code)s": "tidak ada jenis bantuan dengan kode %(code)s",
"the aid item %(item)s does not belong to the programme %(program)s":
    "jenis bantuan %(item)s bukan bagian dari program %(program)s",
"no programme has the code %(code)s": "tidak ada program dengan kode %(code)s",
# Forms and pages.
"Programme": "Program",
"Supply": "Sumber bantuan",
"a pledge such as P-12 or a purchase such as B-3":
    "janji donasi seperti P-12 atau pembelian seperti B-3",
"no pledge or purchase is known as %(value)s":
    "tidak ada janji donasi atau pembelian bernama %(value)s",
"this round has no need of %(item)s for %(recipient)s":
    "ronde ini tidak memiliki kebutuhan %(item)s untuk %(recipient)s",
"The run is approved; its allocations are recorded.":
    "Putaran disetujui; alokasinya sudah dicatat.",
"The run is discarded.": "Putaran dibuang.",
"The line is changed.": "Baris diubah.",
"%(quantity)s of %(item)s are allocated to %(recipient)s.":
    "%(quantity)s %(item)s dialokasikan kepada %(recipient)s.",
"an item of the round's programme, e.g. sembako":
    "jenis bantuan dari program ronde ini, misalnya sembako",
"Allocation": "Alokasi",
"Allocation run": "Putaran alokasi",
"Summary": "Ringkasan",
"Supply available": "Bantuan tersedia",
"Need left": "Sisa kebutuhan",
"Proposed": "Diusulkan",
"Lowest coverage": "Cakupan terendah",
"Share within the same regency/city": "Porsi di dalam kota/kabupaten yang sama",
"Locality cost": "Biaya kedekatan wilayah",
"Fair level": "Tingkat adil",
"Needs at zero": "Kebutuhan tanpa bantuan",
"Approve and allocate": "Setujui dan alokasikan",
"Discard this run": "Buang putaran ini",
"Proposal by area and recipient": "Usulan per wilayah dan penerima",
"All areas": "Semua wilayah",
"only this area": "hanya wilayah ini",
"proposed": "diusulkan",
"coverage": "cakupan",
"fair level": "tingkat adil",
"The engine proposed nothing: no supply matches the needs left.":
    "Mesin tidak mengusulkan apa pun: tidak ada bantuan yang cocok dengan sisa kebutuhan.",
"Only the first %(shown)s of %(total)s lines are shown; choose an area to see the rest.":
    "Hanya %(shown)s dari %(total)s baris pertama yang ditampilkan; pilih wilayah untuk "
    "melihat sisanya.",
"need %(need)s (%(left)s left), priority %(priority)s, locality: %(locality)s":
    "kebutuhan %(need)s (sisa %(left)s), prioritas %(priority)s, kedekatan: %(locality)s",
"The run failed:": "Putaran gagal:",
"Run the allocation engine": "Jalankan mesin alokasi",
"No allocation runs yet.": "Belum ada putaran alokasi.",
"Allocate by hand": "Alokasikan secara manual",
"Allocate": "Alokasikan",
"%(allocated)s of %(need)s proposed": "%(allocated)s dari %(need)s diusulkan",
"queued": "dalam antrean",
"failed": "gagal",
}
