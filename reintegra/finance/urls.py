from django.urls import path

from reintegra.finance import views

app_name = "finance"
urlpatterns = [
    path("payments/", views.payments, name="payments"),
    path("reports/", views.finance_reports, name="reports"),
    path("reports/<str:key>.<str:fmt>", views.finance_report_export, name="report_export"),
    path("plans/<int:plan_id>/instalments/", views.plan_panel, name="plan_panel"),
    path("plans/<int:plan_id>/instalments/add/", views.instalment_add, name="instalment_add"),
    path("instalments/<int:pk>/move/", views.instalment_move, name="instalment_move"),
]
