"""URLs of the surveys: answering (by link or on the site), sending and following them, and their results."""



app_name = "surveys"
urlpatterns = [
    # Answering (members on the site; anyone with a personal link).
    # Sending and following (coordinators).
    # Results.
]
