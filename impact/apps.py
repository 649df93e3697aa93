from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = "Impact"

    def ready(self):
        from impact import notifications
        from impact.signals import task_state_changed

        task_state_changed.connect(notifications.tell_resolution, dispatch_uid="impact.tell_resolution")
