"""The dbt project, shipped as package data so an installed wheel finds it without the source tree."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
