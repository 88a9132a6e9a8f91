from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PlanningRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.SlugField(_("kind"), max_length=60)
    title = models.CharField(_("scenario name"), max_length=200)
    parameters = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0.0)
    progress_message = models.CharField(_("progress message"), max_length=300, blank=True)
    cancel_requested = models.BooleanField(default=False)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    tables = models.JSONField(_("tables"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"])]
        verbose_name = _("planning run")

    def __str__(self) -> str:
        return f"{self.title} ({self.kind})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def percent(self) -> int:
        return round(100 * self.progress)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


def artifact_path(instance: "RunArtifact", filename: str) -> str:
    return f"plans/{instance.run_id}/{filename}"


class RunArtifact(models.Model):
    run = models.ForeignKey(PlanningRun, models.CASCADE, related_name="artifacts")
    name = models.CharField(max_length=120)
    label = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    inline = models.BooleanField(default=False)
    file = models.FileField(upload_to=artifact_path)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="unique_artifact_name")]
