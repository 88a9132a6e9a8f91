from django.urls import path

from . import desk_views, enterprise_views, homeshare_views, parking_views, views

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
    path("parking/", parking_views.bays, name="parking"),
    path("parking/new/", parking_views.bay_new, name="parking-new"),
    path("parking/<int:pk>/", parking_views.bay_detail, name="parking-bay"),
    path("desk/", desk_views.desk, name="desk"),
    path("desk/tickets/<int:pk>/", desk_views.ticket, name="desk-ticket"),
    path("queue/<int:pk>/leave/", desk_views.leave_queue, name="leave-queue"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    path("enterprises/", views.directory, name="directory"),
    path("partners/", views.partners, name="partners"),
    path("enterprises/apply/", enterprise_views.apply, name="enterprise-apply"),
    path("enterprises/mine/", enterprise_views.mine, name="enterprise-mine"),
    path(
        "enterprises/grants/<int:pk>/report/",
        enterprise_views.grant_report,
        name="enterprise-grant-report",
    ),
    path("enterprises/review/", enterprise_views.review_queue, name="enterprise-queue"),
    path(
        "enterprises/review/<int:pk>/",
        enterprise_views.application_detail,
        name="enterprise-application",
    ),
    path("homeshare/", homeshare_views.join, name="homeshare"),
    path("homeshare/host/", homeshare_views.host, name="homeshare-host"),
    path("homeshare/student/", homeshare_views.student, name="homeshare-student"),
    path(
        "homeshare/coordination/",
        homeshare_views.coordinator,
        name="homeshare-coordinator",
    ),
    path(
        "homeshare/coordination/hosts/",
        homeshare_views.people,
        {"who": "hosts"},
        name="homeshare-hosts",
    ),
    path(
        "homeshare/coordination/students/",
        homeshare_views.people,
        {"who": "students"},
        name="homeshare-students",
    ),
    path(
        "homeshare/coordination/matches/<int:pk>/",
        homeshare_views.match_detail,
        name="homeshare-match",
    ),
]
