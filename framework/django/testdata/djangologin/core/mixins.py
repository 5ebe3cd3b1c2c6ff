from django.contrib.auth.mixins import LoginRequiredMixin


class FamilyMemberMixin(LoginRequiredMixin):
    """Pages of one family: the family comes from the logged-in user."""

    def get_family(self):
        return self.request.user.family
