"""The provider link (no account): /r/<token>/."""

from django.urls import path

from reintegra.referrals import public

app_name = "referral_link"
urlpatterns = [path("<str:token>/", public.respond, name="respond")]
