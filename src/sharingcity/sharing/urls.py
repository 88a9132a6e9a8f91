from django.urls import path

from . import views

app_name = "sharing"
urlpatterns = [
    path("", views.search, name="search"),
    path("resources/<int:pk>/", views.resource_detail, name="resource"),
    path("resources/<int:pk>/block/", views.block, name="block"),
    path("resources/<int:pk>/queue/", views.join_queue, name="join-queue"),
    path("bookings/", views.my_bookings, name="my-bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="booking-action"),
    path("approvals/", views.approvals, name="approvals"),
    path("manage/", views.manage, name="manage"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    path("enterprises/", views.directory, name="directory"),
    path("partners/", views.partners, name="partners"),
]
