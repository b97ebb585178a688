"""Every write in Factdesk is a service: one function per domain action, in a transaction, with its history context."""

from factcheck.services.claims import ClaimConflict, claim_assign, claim_set_verdict, claim_undo_verdict
from factcheck.services.evidence import evidence_add, evidence_remove

__all__ = ["ClaimConflict", "claim_assign", "claim_set_verdict", "claim_undo_verdict", "evidence_add", "evidence_remove"]
