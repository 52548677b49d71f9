"""The only writers of the planning service's tables and outbox."""
