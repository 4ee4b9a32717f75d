from django.apps import AppConfig


class CounselingConfig(AppConfig):
    name = "counseling"
