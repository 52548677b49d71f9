"""The planning service's Temporal activities."""
