"""Settings of the server bench/pages.py measures: the portal's own settings, unchanged, plus

- `ROOT_URLCONF = "bench.pages_urls"`: the portal's URLs and, next to them, a bare view and a page of static
  rows (the portal's URLconf itself is not touched);
- a query counter as the outermost middleware, which answers only requests that ask for it;
- `STATIC_ROOT` from `BENCH_STATIC_ROOT`, so the bench collects static files without touching `var/static`.

Used only by bench/pages.py (`DJANGO_SETTINGS_MODULE=bench.pages_settings`), never by the portal.
"""

import os
from pathlib import Path

from coalition.settings import *  # noqa: F403
from coalition.settings import MIDDLEWARE, STATIC_ROOT

ROOT_URLCONF = "bench.pages_urls"
MIDDLEWARE = ["bench.pages_middleware.QueryCountMiddleware", *MIDDLEWARE]
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", str(STATIC_ROOT)))
