"""The plan figures the source projects asked for (docs/figures.md): plans made and the share made
within the deadline, measures started and completed, civic-orientation hours, language levels
reached against the target, and how plans ended, by municipality, residence basis, gender or
native language, for a chosen period. Read from the planning service's own table; `compute.py`
is the pure arithmetic, `api.py` the route."""
