"""Indonesian for the API's input errors found by the permission matrix and Schemathesis
(issue #7)."""

ID = {
"unknown allocation %(id)s": "alokasi %(id)s tidak dikenal",
"unknown delivery": "pengiriman tidak dikenal",
"unknown handover report": "berita acara serah terima tidak dikenal",
"unknown area": "wilayah tidak dikenal",
"name a pledge as P-<id> or a purchase as B-<id>": "sebutkan janji donasi sebagai P-<id> atau pembelian sebagai B-<id>",
"This field is required.": "Bidang ini harus diisi.",
}
