"""The planning service's records (the integration plan: measures, providers, reviews, follow-up, the service map).

Its own tables come with the planning issue; until then it has the outbox and inbox every service has.
"""
