from django.urls import path

from reintegra.safeguarding import views
from reintegra.safeguarding.choices import SLUGS

app_name = "safeguarding"

urlpatterns = [
    path("training/", views.training_index, name="training"),
    path("training/new/", views.training_new, name="training_new"),
    path("training/<int:pk>/certificate/", views.training_certificate, name="training_certificate"),
]
for _section, _slug in SLUGS.items():
    urlpatterns += [
        path(
            f"cases/<int:pk>/{_slug}/",
            views.section_page,
            {"section": _section},
            name=_slug,
        ),
        path(
            f"cases/<int:pk>/{_slug}/edit/",
            views.section_edit,
            {"section": _section},
            name=f"{_slug}_edit",
        ),
        path(
            f"cases/<int:pk>/{_slug}/entries/",
            views.entry_add,
            {"section": _section},
            name=f"{_slug}_entry_add",
        ),
    ]
