"""The assessment service's records (the initial assessment: scheduling, deadlines, recording results).

Its own tables come with the assessment issue; until then it has the outbox and inbox every service has.
"""
