from django.urls import path

from reintegra.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_index, name="list"),
    path("statistics/", views.referral_statistics, name="statistics"),
    path("case/<int:case_id>/", views.case_panel, name="case_panel"),
    path("case/<int:case_id>/new/", views.referral_new, name="new"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/transition/", views.referral_transition, name="transition"),
    path("<int:pk>/review/", views.referral_review, name="review"),
    path("<int:pk>/print/", views.referral_print, name="print"),
    path("<int:pk>/links/", views.link_issue, name="link_issue"),
    path("<int:pk>/links/<int:link_id>/revoke/", views.link_revoke, name="link_revoke"),
]
