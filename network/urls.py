"""URLs of the network of coalitions (included under /coalitions/)."""

from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.coalition_list, name="coalition_list"),
    # "overview" is a reserved slug (network.models.RESERVED_SLUGS), so no coalition hides these two.
    path("overview/", views.regional_overview, name="regional_overview"),
    path("overview/export/", views.regional_overview_csv, name="regional_overview_csv"),
    path("<slug:slug>/", views.coalition_detail, name="coalition_detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/phase/", views.change_phase, name="change_phase"),
    path("<slug:slug>/requests/", views.join_request_list, name="join_request_list"),
    path("<slug:slug>/requests/<int:pk>/", views.join_request_detail, name="join_request_detail"),
    path("<slug:slug>/declarations/<int:pk>/pdf/", views.declaration_pdf, name="declaration_pdf"),
]
