from django.db import models


class Member(models.Model):
    name = models.CharField(max_length=50)


class Chore(models.Model):
    title = models.CharField(max_length=50)


class Allowance(models.Model):
    amount = models.IntegerField()


class Holiday(models.Model):
    day = models.DateField()
