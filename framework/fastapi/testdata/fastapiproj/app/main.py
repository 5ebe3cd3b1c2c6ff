from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.routers import items, users

app = FastAPI()
app.include_router(items.router, prefix="/api")
app.include_router(users.router)
app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")


@app.get("/")
def root():
    return {"hello": "world"}


def health():
    return {"ok": True}


app.add_api_route("/health", health, methods=["GET"])
