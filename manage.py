#!/usr/bin/env python
"""Django's command-line utility for the coalition portal."""

import os
import sys

from django.core.management import execute_from_command_line


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
    # On a developer's machine (no SECRET_KEY in the environment) the command line uses the
    # development defaults. A deployment sets SECRET_KEY, so DEBUG stays off unless it says so;
    # the web process (wsgi/asgi) never takes this shortcut and refuses to start without a key.
    if "SECRET_KEY" not in os.environ:
        os.environ.setdefault("DEBUG", "true")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
