"""Demo data of the journal app."""


def seed(*, stdout=None):
    """Published editions, stories of every kind, tips and an editorial team (filled by the journal work)."""
