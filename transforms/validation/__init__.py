"""Validating each source batch against its Great Expectations suite (kept as data under `schemas/expectations`).

Row-level expectations are evaluated vectorised to find the failing rows (which go to quarantine with their
reason); Great Expectations then validates the accepted rows as the batch's verdict and writes Data Docs.
"""
