"""The push ledger to the provincial / national dual-prevention data exchange (M30)."""
