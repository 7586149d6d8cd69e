"""The standalone verifier: checks a KSBB site's signed handover reports (BAST) and its
public audit log without trusting the site. Run as ``python -m ksbb.verify --help``.

Imports neither Django nor anything that needs a database: only the standard library and
``cryptography`` (for Ed25519). Keep it that way; tests/proofs checks it.
"""
