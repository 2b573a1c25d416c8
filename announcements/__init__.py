"""Announcements: news a coordinator writes for a part of the network, mailed through the check step."""
