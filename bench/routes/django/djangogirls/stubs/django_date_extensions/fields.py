# Bench stub for django_date_extensions.fields (see __init__.py).
from django import forms
from django.db import models


class ApproximateDate:
    def __init__(self, year=0, month=0, day=0, future=False, past=False):
        self.year, self.month, self.day = year, month, day


class ApproximateDateField(models.CharField):
    def __init__(self, *a, **k):
        k.setdefault("max_length", 10)
        super().__init__(*a, **k)


class ApproximateDateFormField(forms.CharField):
    pass
