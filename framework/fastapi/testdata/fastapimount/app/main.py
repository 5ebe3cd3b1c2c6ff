from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import v2

app = FastAPI()


@app.get("/")
def root():
    return {}


app.mount("/v2", v2.api)
app.mount("/static", StaticFiles(directory="static"), name="static")
