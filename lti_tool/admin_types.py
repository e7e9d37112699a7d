"""ModelAdmin and inlines are generic in django-stubs only: Django's own classes are not
subscriptable at run time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin

if TYPE_CHECKING:  # generic in django-stubs only: Django's classes are not subscriptable
    ModelAdmin = admin.ModelAdmin[Any]
    StackedInline = admin.StackedInline[Any, Any]
    TabularInline = admin.TabularInline[Any, Any]
else:
    ModelAdmin, StackedInline, TabularInline = (
        admin.ModelAdmin,
        admin.StackedInline,
        admin.TabularInline,
    )
