from django.urls import path

from counseling import views

app_name = "counseling"

urlpatterns = [
    path("", views.my_bookings, name="my_bookings"),
    path("bookings/new/", views.booking_new, name="booking_new"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/reschedule/", views.booking_reschedule, name="booking_reschedule"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/mark/", views.booking_mark, name="booking_mark"),
    path("slots/", views.slots, name="slots"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_new, name="client_new"),
    path("clients/<int:pk>/", views.client_detail, name="client_detail"),
    path("intake/", views.intake, name="intake"),
    path("intake/thank-you/", views.intake_done, name="intake_done"),
    path("intake/queue/", views.intake_queue, name="intake_queue"),
    path("intake/<int:pk>/accept/", views.intake_accept, name="intake_accept"),
    path("intake/<int:pk>/close/", views.intake_close, name="intake_close"),
]
