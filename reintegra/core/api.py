"""The JSON API (django-ninja). Routers are added by each app's api.py."""

from ninja import NinjaAPI

api = NinjaAPI(title="Reintegra API", version="1", urls_namespace="api")
