"""URLs of the events."""

from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("past/", views.past_events, name="past_events"),
    path("mine/", views.my_registrations, name="my_registrations"),
    path("mine/calendar/renew/", views.renew_calendar_feed, name="renew_calendar_feed"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("feed.ics", views.feed, name="feed"),
    path("registrations/<int:pk>/cancel/", views.cancel_registration, name="cancel_registration"),
    path("registrations/<int:pk>/session/", views.choose_session, name="choose_session"),
    path("invitation/<str:token>/", views.invitation_answer, name="invitation_answer"),
    # A guest's own pages: the signed token in their mails is the permission.
    path("<slug:slug>/guest/", views.guest_register, name="guest_register"),
    path("guest/<str:token>/confirm/", views.guest_confirm, name="guest_confirm"),
    path("guest/<str:token>/cancel/", views.guest_cancel, name="guest_cancel"),
    path("guest/<str:token>/materials/<int:pk>/", views.guest_material, name="guest_material"),
    path("guest/<str:token>/feedback/", views.guest_feedback, name="guest_feedback"),
    path("guest/<str:token>/", views.guest_registration, name="guest_registration"),
    path("unsubscribe/<str:token>/", views.opt_out, name="opt_out"),
    path("materials/<int:pk>/", views.material_download, name="material_download"),
    path("registrations/<int:pk>/certificate.pdf", views.certificate_download, name="certificate_download"),
    path("certificates/verify/", views.certificate_verify, name="certificate_verify_form"),
    path("certificates/verify/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("certificates/<str:token>.pdf", views.certificate_signed, name="certificate_signed"),
    # A group's meetings, their notes and the cases of a case consultation (issue 18).
    path("group/<slug:slug>/new/", views.plan_group_meeting, name="plan_group_meeting"),
    path("cases/<int:pk>/advice/", views.case_advice, name="case_advice"),
    path("series/<slug:slug>/", views.series_detail, name="series_detail"),
    path("series/<slug:slug>/calendar.ics", views.series_feed, name="series_feed"),
    path("<slug:slug>/", views.event_detail, name="event_detail"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/calendar.ics", views.event_ics, name="event_ics"),
    path("<slug:slug>/participants/", views.participants, name="participants"),
    path("<slug:slug>/feedback/", views.feedback, name="feedback"),
    path("<slug:slug>/notes/", views.meeting_notes, name="meeting_notes"),
    path("<slug:slug>/notes/send/", views.send_meeting_notes, name="send_meeting_notes"),
    path("<slug:slug>/cases/", views.case_list, name="case_list"),
    path("<slug:slug>/cases/new/", views.case_new, name="case_new"),
    # Coordinator tools, linked from the admin.
    path("<slug:slug>/invite/", views.invite, name="invite"),
    path("<slug:slug>/invitations/", views.invitations, name="invitations"),
    path("<slug:slug>/check-in/", views.check_in_list, name="check_in_list"),
    path("<slug:slug>/registrations.csv", views.registrations_csv, name="registrations_csv"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/needs/", views.ask_needs, name="ask_needs"),
    path("<slug:slug>/send-materials/", views.send_materials, name="send_materials"),
    path("<slug:slug>/message/", views.message, name="message"),
    path("<slug:slug>/send-certificates/", views.send_certificates, name="send_certificates"),
    path("<slug:slug>/overview/", views.overview, name="overview"),
    path("<slug:slug>/sessions/", views.sessions, name="sessions"),
    path("<slug:slug>/cancel/", views.cancel_event, name="cancel_event"),
    path("<slug:slug>/mailings/", views.mailings, name="mailings"),
]
