"""URLs of the surveys: answering (by link or on the site), sending and following them, and their results."""

from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    # Answering (members on the site; anyone with a personal link).
    path("", views.survey_list, name="survey_list"),
    path("answer/<str:token>/", views.answer_by_link, name="answer_by_link"),
    path("answer/<str:token>/thanks/", views.answer_thanks, name="answer_thanks"),
    path("<slug:slug>/", views.survey_detail, name="survey_detail"),
    path("<slug:slug>/thanks/", views.survey_thanks, name="survey_thanks"),
    # Sending and following (coordinators).
    # Results.
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results.csv", views.results_csv, name="results_csv"),
]
