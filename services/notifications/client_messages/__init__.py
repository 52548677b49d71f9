"""Messages to clients (CONTRACT §7): the interview invitation and its change, the plan made, a
measure's start, a plan review, the plan's end and the case's closure, by SMS and e-mail in the
client's own language.

Why here: the notifications service is already "who is told what" and already keeps the client's
record for staff views from `client.recorded` (which now carries the registration's contact). So it
sends client messages from its own tables: no service reads another's, intake keeps no second
delivery loop, and the mail settings and durability of staff mail are reused as they are.

How: a subscriber of the domain events on `kotopolku.events` (handlers.py) records each message in
the transaction that consumes the event (service.py); a loop sends them after the commit, retries
with backoff and marks them sent (delivery.py); staff see each one on the case's timeline (api.py:
kind, channel, language, state, never the text)."""
