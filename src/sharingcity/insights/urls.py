from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.public_dashboard, name="dashboard"),
    path("bureau/", views.bureau_dashboard, name="bureau-dashboard"),
    path("open-data/", views.catalogue, name="catalogue"),
    path("open-data/regenerate/", views.regenerate, name="regenerate"),
    path("my-data/", views.my_data, name="my-data"),
]
