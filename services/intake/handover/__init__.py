"""Intake's part of the Koto-AJ hand-over: who the records are about, and how cases closed."""
