"""Views of the surveys: thin, each asks its rule, binds a form and calls a service."""
