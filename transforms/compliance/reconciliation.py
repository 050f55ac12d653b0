"""Where ESR's own Compliance Status (its RAG) disagrees with Learnscape's status, and the likely reason.

ESR's RAG is recomputed by ESR on its own schedule and windows, and cannot see Totara evidence, so disagreement
is expected; the table lets a data engineer see each case and why rather than doubt the figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: ESR's RAG → the Learnscape statuses it agrees with.
ESR_RAG_AGREES_WITH = {
    "GREEN": {"compliant"},
    "AMBER": {"expiring"},
    "RED": {"expired", "missing"},
}

RECONCILIATION_COLUMNS = [
    "as_of_date",
    "employee_number",
    "competency_name",
    "esr_compliance_status",
    "learnscape_status",
    "esr_expiry_date",
    "expires_on",
    "evidence_source",
    "explanation",
    "vpd",
]


def reconcile(compliance_person: pd.DataFrame, esr_records: pd.DataFrame) -> pd.DataFrame:
    """Disagreements between ESR's RAG and ours, one row per person and required competence.

    `esr_records` holds the ESR competence records as known on the date: vpd, employee_number, competency_name,
    compliance_status, expiry_date, no_expiry.
    """
    rated = esr_records.loc[esr_records["compliance_status"].fillna("").str.upper().isin(ESR_RAG_AGREES_WITH)]
    joined = compliance_person.merge(
        rated[["vpd", "employee_number", "competency_name", "compliance_status", "expiry_date"]],
        on=["vpd", "employee_number", "competency_name"],
    )
    if joined.empty:
        return pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    esr_rag = joined["compliance_status"].str.upper()
    agrees = [status in ESR_RAG_AGREES_WITH[code] for code, status in zip(esr_rag, joined["status"], strict=True)]
    differ = joined.loc[~np.array(agrees, dtype=bool)].copy()
    differ["esr_compliance_status"] = differ["compliance_status"].str.upper()
    differ["learnscape_status"] = differ["status"]
    differ["esr_expiry_date"] = differ["expiry_date"]
    differ["explanation"] = _explain(differ)
    return differ[RECONCILIATION_COLUMNS].reset_index(drop=True)


#: Why ESR and Learnscape disagree, in the order the reasons are tried; the first that holds explains the row.
_NO_AWARD = "ESR rates a record that has no award dated on or before the reporting date."
_OTHER_EXPIRY = "ESR's expiry date differs from the expiry Learnscape derived."
_OTHER_WINDOW = "ESR's expiring-soon window differs from the trust's window."
_STALE = "ESR's status is stale: it was last recalculated before the expiry date passed."


def _explain(differ: pd.DataFrame) -> pd.Series:
    """One reason per disagreeing row, worked out a column at a time (a part of a region has tens of thousands)."""
    source = differ["evidence_source"]
    other_source = source.notna() & source.ne("") & source.ne("esr")
    esr_expiry = pd.to_datetime(differ["esr_expiry_date"])
    ours = pd.to_datetime(differ["expires_on"])
    other_expiry = esr_expiry.notna() & ours.notna() & esr_expiry.ne(ours)
    window = differ["esr_compliance_status"].eq("AMBER") | differ["learnscape_status"].eq("expiring")
    reasons = np.select(
        [other_source, differ["learnscape_status"].eq("missing"), other_expiry, window],
        [
            ("Learnscape counts newer " + source.astype(str) + " evidence that ESR does not hold.").to_numpy(object),
            _NO_AWARD,
            _OTHER_EXPIRY,
            _OTHER_WINDOW,
        ],
        default=_STALE,
    )
    return pd.Series(reasons, index=differ.index, dtype=object)
