from django.urls import path

from . import views

app_name = "budgeting"
urlpatterns = [
    path("", views.process_list, name="processes"),
    path("new/", views.process_new, name="process-new"),
    path("<int:process_id>/", views.process_detail, name="process"),
    path("<int:process_id>/phase/", views.process_phase, name="process-phase"),
    path("<int:process_id>/projects/new/", views.project_new, name="project-new"),
    path("<int:process_id>/projects/<str:code>/", views.project_detail, name="project"),
    path(
        "<int:process_id>/projects/<str:code>/costing/",
        views.project_costing,
        name="project-costing",
    ),
    path(
        "<int:process_id>/projects/<str:code>/progress/",
        views.project_progress,
        name="project-progress",
    ),
    path("<int:process_id>/vote/", views.vote, name="vote"),
    path("<int:process_id>/paper-ballots/", views.paper_ballot, name="paper-ballot"),
    path("<int:process_id>/results/", views.results, name="results"),
    path("panels/", views.panel_list, name="panels"),
    path("panels/new/", views.panel_new, name="panel-new"),
    path("panels/<int:panel_id>/", views.panel_detail, name="panel"),
    path("panels/<int:panel_id>/<slug:action>/", views.panel_action, name="panel-action"),
]
