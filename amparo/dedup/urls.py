"""Possible duplicates: the review queue, a pair, runs and merges. Mounted at /duplicates/."""

from django.urls import path

from amparo.dedup import views

app_name = "dedup"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("run/", views.start_run, name="run"),
    path("run/<uuid:job_id>/", views.run_status, name="run_status"),
    path("pairs/<int:pair_id>/", views.pair_page, name="pair"),
    path("pairs/<int:pair_id>/merge/", views.pair_merge, name="merge"),
    path("pairs/<int:pair_id>/decide/", views.pair_decide, name="decide"),
    path("merges/", views.merges, name="merges"),
    path("merges/<uuid:merge_id>/undo/", views.merge_undo, name="undo"),
]
