"""What the wellbeing services county sees of the assessments: the multi-sectoral ones of its own
county's municipalities, read-only (docs/roles.md, `wellbeing_county`)."""
