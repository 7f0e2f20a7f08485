"""{{ cookiecutter.description.rstrip(".") }}."""
