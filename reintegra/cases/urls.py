from django.urls import include, path

from reintegra.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/timeline/", views.case_timeline, name="timeline"),
    path("<int:pk>/notes/", views.case_notes, name="notes"),
    path("<int:pk>/history/", views.case_history, name="history"),
    path("<int:pk>/stage/", views.case_transition, name="transition"),
    path("<int:pk>/notes/add/", views.note_add, name="note_add"),
    path("<int:pk>/tasks/add/", views.task_add, name="task_add"),
    path("<int:pk>/tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("<int:pk>/documents/add/", views.document_add, name="document_add"),
    path("<int:pk>/documents/<int:doc_id>/", views.document_download, name="document_download"),
    path("<int:pk>/assign/", views.case_assign, name="assign"),
    path("<int:pk>/unassign/", views.case_unassign, name="unassign"),
    path("<int:pk>/flags/", views.case_flag, name="flag"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("<int:pk>/reopen/", views.case_reopen, name="reopen"),
    path("<int:pk>/handover/", views.handover_request, name="handover"),
    path("handovers/", views.handover_list, name="handovers"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover_detail"),
    path("handovers/<int:pk>/accept/", views.handover_accept, name="handover_accept"),
    path("handovers/<int:pk>/refuse/", views.handover_refuse, name="handover_refuse"),
    path("for-person/<int:person_id>/", views.person_cases, name="person_cases"),
    path("", include("reintegra.cases.grants_views")),  # access operations (grants, break-glass)
]
