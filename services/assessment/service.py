"""The only writers of the assessment service's tables and outbox."""
