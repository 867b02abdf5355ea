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
    path("purchases/", views.purchases, name="purchases"),
    path("plans/<int:plan_id>/purchases/", views.purchase_start, name="purchase_start"),
    path("purchases/<int:pk>/", views.purchase_detail, name="purchase"),
    path("purchases/<int:pk>/quotations/", views.quotation_add, name="quotation_add"),
    path("purchases/<int:pk>/move/", views.purchase_move, name="purchase_move"),
    path("purchases/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("suppliers/", views.suppliers, name="suppliers"),
    path("suppliers/add/", views.supplier_add, name="supplier_add"),
]
