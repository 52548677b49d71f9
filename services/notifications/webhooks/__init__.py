"""Webhook subscriptions (CONTRACT §6): every event on `kotopolku.events` is recorded for each
matching subscription, then POSTed to its URL with the Standard Webhooks signature, retried with
backoff until the receiver acknowledges it. docs/webhooks.md."""
