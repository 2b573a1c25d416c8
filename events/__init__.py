"""Package of the events app."""
