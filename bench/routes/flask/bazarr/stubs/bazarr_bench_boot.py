# Bench helper (not bazarr code): stands in for bazarr's main.py start-up. It puts the
# stub ffprobe/ffmpeg/... scripts of stubs/bin first on PATH (bazarr's import-time code
# otherwise retries downloading those binaries forever), gives bazarr's argument parser
# --no-update (else init.py runs `pip install -r requirements.txt`) and a scratch --config
# folder, and then imports the module that builds the real Flask app, app.server, as
# main.py does.
import os
import sys

os.environ["PATH"] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "bin") + os.pathsep + os.environ.get("PATH", "")
os.environ.setdefault("SZ_USER_AGENT", "Bazarr/bench")
os.environ.setdefault("BAZARR_VERSION", "bench")

_argv = sys.argv
sys.argv = ["bazarr", "--no-update", "--config",
            os.environ.get("BAZARR_BENCH_CONFIG", "/tmp/bazarr-bench-config")]
try:
    from app.server import app  # noqa: E402,F401
finally:
    sys.argv = _argv
