"""Who leads a client's integration services, by a recorded staff decision (identity.decide_lead_by_staff)."""
