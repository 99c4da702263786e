from django.urls import path

from amparo.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("people/", views.people, name="people"),
    path("5w/", views.five_w, name="five-w"),
    path("5w/<uuid:job_id>/", views.five_w_job, name="five-w-job"),
    path("tables/", views.reached_table, name="reached-table"),
    path("tables/<uuid:job_id>/", views.reached_table_job, name="reached-table-job"),
    path("projects/", views.projects, name="projects"),
    path("projects/<uuid:project_id>/", views.project, name="project"),
]
