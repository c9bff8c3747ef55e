"""The Discord adapter: cogs, views and modals that translate Discord events into calls
on the domain services. No product rule lives here."""
