from django.urls import path

from . import views

app_name = "voice"
urlpatterns = [
    path("", views.proposal_list, name="proposal-list"),
    path("proposals/new/", views.proposal_new, name="proposal-new"),
    path("proposals/similar/", views.proposal_similar, name="proposal-similar"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/support/", views.support, name="support"),
    path("proposals/<int:pk>/comment/", views.comment, name="comment"),
    path("proposals/<int:pk>/follow-up/", views.follow_up, name="follow-up"),
    path("proposals/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("comments/<int:comment_id>/report/", views.report_comment, name="report-comment"),
    path("staff/offline/", views.offline_intake, name="offline-intake"),
    path("staff/inbox/", views.inbox, name="inbox"),
    path("staff/proposals/<int:pk>/", views.manage, name="manage"),
    path("staff/proposals/<int:pk>/reply/", views.reply, name="reply"),
    path("staff/proposals/<int:pk>/route/", views.route, name="route"),
    path("staff/overdue/", views.overdue_board, name="overdue"),
    path("staff/routing/", views.routing_rules, name="routing-rules"),
    path("staff/ladder/", views.ladder_page, name="ladder"),
    path("staff/templates/", views.answer_templates, name="templates"),
    path("staff/moderation/", views.moderation, name="moderation"),
    path("ranking/", views.ranking_list, name="ranking-list"),
    path("ranking/new/", views.ranking_new, name="ranking-new"),
    path("ranking/<int:pk>/", views.ranking_detail, name="ranking-detail"),
    path("events/", views.event_list, name="event-list"),
    path("events/new/", views.event_new, name="event-new"),
    path("events/<int:pk>/", views.event_detail, name="event-detail"),
]
