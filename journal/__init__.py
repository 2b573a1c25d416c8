"""Package of the journal app."""
