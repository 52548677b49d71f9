"""The recruitment figures a regional working group asked for (docs/figures.md): recruitment
notices received and the employers involved, per municipality, and the recruits expected to arrive
in the coming months. Read from the intake service's own table of notices (no recruit's name
leaves it); `compute.py` is the pure arithmetic, `api.py` the route."""
