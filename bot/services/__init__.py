"""What handlers and the notifier call: uploads, drafts, launching jobs, sending results."""
