"""The planning service's part of the Koto-AJ hand-over: plans, measures, reviews, extensions."""
