"""Pages of groups: the list, a group's page, joining and members, the action list, documents, notifications."""
