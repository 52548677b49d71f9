"""Feedback from clients (docs/client-page.md, "Feedback"): after each completed measure and at the
case's closure the client's page asks a few questions — how useful it was (1-5) and whether they
understood the language it was in.

Kept apart from the case: a request (`feedback_request`) belongs to the case so that the page can
show it, but the answer (`feedback_answer`) is stored without the client, the case or a time —
only what the figures group by (the measure's kind and provider, the client group, the
municipality) and the month. Answers are shown only as figures (`GET /api/v1/figures/feedback`),
never a cell under five. No free text is asked: a few words of one's own can name who wrote them."""
