"""The cockpit's URLs: today's work, and the impact figures with their CSV and PDF."""

from django.urls import path

from . import impact_views, views

app_name = "cockpit"

urlpatterns = [
    path("", views.todo, name="todo"),
    path("mailings/<int:pk>/retry/", views.retry_mailing, name="retry_mailing"),
    path("impact/", impact_views.impact, name="impact"),
    path("impact/figures.csv", impact_views.impact_csv, name="impact_csv"),
    path("impact/report.pdf", impact_views.impact_pdf, name="impact_pdf"),
]
