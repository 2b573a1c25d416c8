"""Mini-events, registrations, the waiting list, invitations, materials and feedback."""
