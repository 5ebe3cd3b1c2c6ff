import os

from pydantic_settings import BaseSettings

HEALTH_PATH = os.getenv("HEALTH_PATH", "/healthz")


class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"
    PROJECT_NAME: str = "shop"


settings = Settings()
