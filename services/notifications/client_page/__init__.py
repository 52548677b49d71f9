"""The client's own page (docs/client-page.md): staff send the client a one-time link on one channel
and a code on the other; with both the client reads, in their own language, where they are on the
path, the next step and its date and whom to contact. Every view is in the access log.

Why here: the notifications service keeps the case view, the client's contact and the delivery of
client messages, so the page is served from its own tables. How the client proves who they are is
one seam (identity.py): the link and code today, a strong identification (Suomi.fi, OIDC) later."""
