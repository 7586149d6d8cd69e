"""Texts added while integrating the hardening work."""

ID = {
    "The request contains a null character (\\0), which is not allowed.":
        "Permintaan berisi karakter nol (\\0), yang tidak diizinkan.",
}
