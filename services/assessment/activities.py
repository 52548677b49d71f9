"""The assessment service's Temporal activities."""
