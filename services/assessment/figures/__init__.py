"""The assessment figures the source projects asked for (docs/figures.md): time from becoming a
client to the assessment's start and completion, and the share started within the deadline, by
municipality, residence basis, gender or native language, for a chosen period. Read from the
assessment service's own table; `compute.py` is the pure arithmetic, `api.py` the route."""
