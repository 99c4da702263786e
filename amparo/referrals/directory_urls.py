from django.urls import path

from amparo.referrals import directory_views

urlpatterns = [
    path("", directory_views.directory, name="directory"),
    path("import/", directory_views.import_directory, name="directory-import"),
    path(
        "import/jobs/<uuid:job_id>/",
        directory_views.import_directory_job,
        name="directory-import-job",
    ),
]
