"""Package of the members app."""
