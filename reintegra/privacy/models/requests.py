"""Models of subject-access requests and exports, password-protected exports."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.accounts.models import Office
from reintegra.core.models import VersionedModel
from reintegra.people.models import Returnee
from reintegra.privacy.choices.requests import (
    OPEN_STATUSES,
    IdentityCheck,
    RequestLanguage,
    RequestStatus,
)

__all__: list[str] = ["SubjectAccessRequest"]


class SubjectAccessRequest(VersionedModel):
    """A person's request to receive everything the programme holds about them.

    The export's password is never stored in clear: only its hash, so the coordinator is the
    only one who ever sees it (once, when the export is made)."""

    person = models.ForeignKey(
        Returnee,
        verbose_name=_("returnee"),
        on_delete=models.PROTECT,
        related_name="access_requests",
    )
    # The office responsible for the person when the request was recorded: the request's scope.
    office = models.ForeignKey(
        Office, verbose_name=_("office"), on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    identity_check = models.CharField(
        _("identity checked by"), max_length=16, choices=IdentityCheck.choices
    )
    identity_note = models.CharField(_("how the identity was checked"), max_length=300, blank=True)
    details = models.TextField(_("what the person asked for"), blank=True)
    language = models.CharField(
        _("language of the answer"),
        max_length=2,
        choices=RequestLanguage.choices,
        default=RequestLanguage.FR,
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The latest export: an AES-encrypted ZIP in the private files folder and its password hash.
    export_name = models.CharField(max_length=255, blank=True, editable=False)
    export_size = models.PositiveIntegerField(default=0, editable=False)
    export_password_hash = models.CharField(max_length=255, blank=True, editable=False)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    export_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("subject-access request")
        indexes = [models.Index(fields=["office", "status", "due_on"])]
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"SAR-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()
