"""What the wellbeing services county sees of the plans: the multi-sectoral plans of its own
county's municipalities, read-only (docs/roles.md, `wellbeing_county`)."""
