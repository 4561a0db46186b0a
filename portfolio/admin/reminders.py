"""Admin for reminder deliveries (filled in by the reminders work)."""
