"""Demo data of the events app."""


def seed(*, stdout=None):
    """Upcoming and past events with registrations (filled by the events work)."""
