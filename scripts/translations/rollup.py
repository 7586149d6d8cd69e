"""Indonesian for the statistics rollups (issue #6: the dashboard under 200 ms uncached)."""

ID = {
"rollups stale": "ringkasan perlu dihitung ulang",
"collected per day (rollup)": "terkumpul per hari (ringkasan)",
"funded per day (rollup)": "dibelanjakan per hari (ringkasan)",
"delivered per day (rollup)": "tersalurkan per hari (ringkasan)",
"reach per day (rollup)": "jangkauan per hari (ringkasan)",
"reach (rollup)": "jangkauan (ringkasan)",
"collaborator": "kolaborator",
"recipient": "penerima",
}
