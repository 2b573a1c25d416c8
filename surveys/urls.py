"""URLs of the surveys: answering (by link or on the site), sending and following them, and their results."""

from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    # Answering (members on the site; anyone with a personal link).
    # Sending and following (coordinators).
    # Results.
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results.csv", views.results_csv, name="results_csv"),
]
