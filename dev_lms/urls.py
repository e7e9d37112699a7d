from __future__ import annotations

from django.urls import path

from dev_lms import service_views, views

app_name = "dev_lms"

# The service URLs have no trailing slash: tools append "/scores" and "/results" to a line
# item's URL (AGS 2.0), which must therefore not end in "/".
_LINEITEM = "ags/<str:context_id>/lineitems/<str:lineitem_id>"

urlpatterns = [
    path("", views.home, name="home"),
    path("gradebook/", views.gradebook_page, name="gradebook"),
    path("jwks/", views.jwks, name="jwks"),
    path("auth/", views.auth, name="auth"),
    path("deep-link-return/", views.deep_link_return, name="deep_link_return"),
    path("platform-storage/", views.storage_frame, name="storage_frame"),
    path("platform-storage/preference/", views.storage_preference, name="storage_preference"),
    path("token/", service_views.token, name="token"),
    path("ags/<str:context_id>/lineitems", service_views.lineitems, name="lineitems"),
    path(_LINEITEM, service_views.lineitem, name="lineitem"),
    path(f"{_LINEITEM}/scores", service_views.scores, name="scores"),
    path(f"{_LINEITEM}/results", service_views.results, name="results"),
    path("nrps/<str:context_id>/memberships", service_views.memberships, name="memberships"),
]
