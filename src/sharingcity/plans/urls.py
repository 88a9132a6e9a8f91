from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/<slug:kind_key>/", views.new_run, name="new"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/cancel/", views.cancel_run, name="cancel"),
    path("runs/<int:run_id>/files/<str:name>", views.artifact, name="artifact"),
    path("compare/", views.compare, name="compare"),
]
