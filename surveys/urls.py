"""URLs of the surveys: answering (by link or on the site), sending and following them, and their results."""

from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    # Sending and following (coordinators). "manage/" before any "<slug>/" pattern: it is not a survey's slug
    # (the admin refuses the slugs these words take, surveys.admin.RESERVED_SLUGS).
    path("manage/", views.manage_list, name="manage_list"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/send/", views.send, name="send"),
    # Answering (members on the site; anyone with a personal link).
    path("", views.survey_list, name="survey_list"),
    path("answer/<str:token>/", views.answer_by_link, name="answer_by_link"),
    path("answer/<str:token>/thanks/", views.answer_thanks, name="answer_thanks"),
    path("<slug:slug>/", views.survey_detail, name="survey_detail"),
    path("<slug:slug>/thanks/", views.survey_thanks, name="survey_thanks"),
    # Results.
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results.csv", views.results_csv, name="results_csv"),
]
