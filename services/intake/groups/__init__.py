"""The groups the projects reach (shared/client_groups.py) as staff decide them, with the reason."""
