from django.urls import path

from amparo.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("people/", views.people, name="people"),
    path("projects/", views.projects, name="projects"),
    path("projects/<uuid:project_id>/", views.project, name="project"),
]
