"""The assessment service's part of the Koto-AJ hand-over: its assessments."""
