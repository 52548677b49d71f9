"""Who is owed an assessment: the triage queue of clients whose target group is unclear, and the
staff decision on any client's target group (identity.decide_by_staff is the rule)."""
