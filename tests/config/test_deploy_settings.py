import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(env)
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_check_deploy_passes_under_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="runstage.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_production_server_refuses_to_start_without_a_secret_key():
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_check_deploy_fails_without_a_secret_key():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_ALLOWED_HOSTS="runstage.example.com"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_maintenance_commands_run_without_a_secret_key():
    result = run_manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_default_currency_comes_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from core.money import default_currency; print(default_currency())",
        DJANGO_DEBUG="1",
        RUNSTAGE_DEFAULT_CURRENCY="gbp",
    )
    assert result.returncode == 0 and result.stdout.strip().splitlines()[-1] == "GBP", result.stderr


def test_an_unknown_default_currency_stops_the_start_naming_the_setting():
    result = run_manage("check", DJANGO_DEBUG="1", RUNSTAGE_DEFAULT_CURRENCY="POUNDS")
    assert result.returncode != 0 and "RUNSTAGE_DEFAULT_CURRENCY" in result.stderr
