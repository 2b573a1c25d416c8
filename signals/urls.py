"""URLs of the signal route (included under /signals/)."""

from django.urls import path

from . import views

app_name = "signals"
urlpatterns = [
    path("", views.signal_list, name="signal_list"),
    # The service worker is served from here (not /static/) so that its scope is /signals/.
    path("sw.js", views.service_worker, name="service_worker"),
    # "print" is a reserved signal slug (signals.models.RESERVED_SLUGS), so no signal hides this page.
    path("print/<slug:municipality>/", views.print_card, name="print"),
    path("<slug:slug>/", views.signal_detail, name="signal_detail"),
    path("<slug:slug>/<slug:municipality>/", views.card, name="card"),
]
