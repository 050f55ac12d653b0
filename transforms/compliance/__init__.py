"""Statutory and mandatory compliance, one rule per module, composed in `build`.

`population` decides who counts, `requirements` what each person must hold, `evidence` which award counts and
when it expires, `status` how an award stands on the reporting date, `summary` the published counts and RAG,
`reconciliation` where ESR's own RAG disagrees. Every rule reads its settings from `ComplianceSettings`.
"""
