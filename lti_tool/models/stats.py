"""Per-day counts of the event log, for the dashboard: a closed day never changes, so it
is counted once (lti_tool/services/event_rollup.py) instead of on every page view."""

from __future__ import annotations

from django.db import models

from lti_tool.models.tenants import StorageConfig, Tenant


class EventDayCount(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=30)
    storage = models.ForeignKey(
        StorageConfig, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=100, blank=True)  # failures' reason code
    count = models.PositiveIntegerField()
    bytes = models.BigIntegerField(default=0)  # uploads: the videos' sizes

    class Meta:
        indexes = [models.Index(fields=["tenant", "day"], name="event_day_tenant_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}: {self.count}"


class EventRollup(models.Model):
    """One row: the last day whose events are counted in `EventDayCount`."""

    complete_through = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"events counted through {self.complete_through}"
