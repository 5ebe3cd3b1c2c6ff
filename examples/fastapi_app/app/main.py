"""Example shop API for the cdnadvise lab (FastAPI under uvicorn).

Sends no Cache-Control until `cdnadvise patch` adds it. Every request is
written to $ACCESS_LOG in combined format with the time in microseconds.
"""
import os
import time
from pathlib import Path

from fastapi import FastAPI, Header, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from . import family

app = FastAPI()
ACCESS_LOG = os.environ.get("ACCESS_LOG", "access.log")


@app.middleware("http")
async def access_log(request: Request, call_next):
    start = time.time()
    response = await call_next(request)
    took = int((time.time() - start) * 1e6)
    target = request.url.path + ("?" + request.url.query if request.url.query else "")
    stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(start))
    size = response.headers.get("content-length", "-")
    agent = request.headers.get("user-agent", "-").replace('"', "'")
    with open(ACCESS_LOG, "a") as f:
        f.write(f'{request.client.host} - - [{stamp}] "{request.method} {target} HTTP/1.1" {response.status_code} {size} "-" "{agent}" {took}\n')
    return response


app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
app.include_router(family.router)


@app.get("/", response_class=HTMLResponse)
def home():
    epoch = int(time.time() // 60)  # the front page changes every minute
    return "<!doctype html><title>Shop</title><h1>Shop</h1><p>Deals of minute %d</p>" % epoch


@app.get("/api/leaderboard")
def leaderboard():
    epoch = int(time.time() // 30)  # the content changes every 30 s
    return {"epoch": epoch, "top": [(epoch * 7 + i) % 100 for i in range(10)]}


@app.get("/api/items")
def list_items():
    epoch = int(time.time() // 60)  # new items appear every minute
    return {"items": [epoch * 10 + i for i in range(10)]}


@app.post("/api/items", status_code=201)
def create_item(request: Request, x_csrftoken: str = Header(default="", alias="X-CSRFToken")):
    """A write needs the CSRF token twice, as a cookie and as a header (an
    edge that drops the cookie breaks every write)."""
    if not x_csrftoken or request.cookies.get("csrftoken") != x_csrftoken:
        raise HTTPException(status_code=403, detail="CSRF token missing or incorrect")
    return {"created": True}


@app.get("/api/items/{item_id}")
def item(item_id: int):
    time.sleep(0.002)
    epoch = int(time.time() // 120)  # prices change every two minutes
    return {"id": item_id, "name": "item %d" % item_id, "price": (item_id + epoch) % 50 + 0.99}


@app.get("/search")
def search(q: str = ""):
    time.sleep(0.005)
    return {"q": q, "results": [q + str(i) for i in range(5)]}


@app.get("/api/me")
def me(request: Request, response: Response):
    user = request.cookies.get("sessionid", "anonymous")
    response.set_cookie("seen", "1")
    return {"user": user}
