from rest_framework.permissions import DjangoModelPermissions


class FamilyModelPermissions(DjangoModelPermissions):
    """Model permissions that also guard reads."""

    perms_map = dict(DjangoModelPermissions.perms_map, GET=["%(app_label)s.view_%(model_name)s"])
