"""The wellbeing services county's staff who may take part in multi-sectoral assessments and plans:
the list a plan's participant is chosen from (docs/roles.md, `wellbeing_county`)."""
