"""The generated protobuf module for schemas/proto/plinth.proto (package plinth.v1).

Found, in order: a plinth_pb2 already imported; the copy the build puts next to this package
(build/python/plinth/plinth_pb2.py); a top-level plinth_pb2 on sys.path (build/python); the
directory named by $PLINTH_PB2_DIR; and finally, when the package is used straight from the
source tree (PYTHONPATH=tools/python), one generated with protoc into ~/.cache/plinth.
"""
import hashlib
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys


def _from_file(path):
    spec = importlib.util.spec_from_file_location("plinth_pb2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules.setdefault("plinth_pb2", module)
    return module


def _generate_from_source_tree():
    proto = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "schemas", "proto", "plinth.proto"))
    if not os.path.exists(proto):
        return None
    protoc = shutil.which("protoc")
    if not protoc:
        raise ImportError("plinth: no generated plinth_pb2 and no protoc to make one; build the project "
                          "(cmake --build BUILD --target plinth_python) and use PYTHONPATH=BUILD/python")
    with open(proto, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "plinth", digest)
    target = os.path.join(cache, "plinth_pb2.py")
    if not os.path.exists(target):
        os.makedirs(cache, exist_ok=True)
        subprocess.run([protoc, "--python_out=" + cache, "-I" + os.path.dirname(proto), proto], check=True)
    return _from_file(target)


def load():
    if "plinth_pb2" in sys.modules:
        return sys.modules["plinth_pb2"]
    try:
        module = importlib.import_module(".plinth_pb2", __package__)
        sys.modules.setdefault("plinth_pb2", module)
        return module
    except ImportError:
        pass
    try:
        return importlib.import_module("plinth_pb2")
    except ImportError:
        pass
    directory = os.environ.get("PLINTH_PB2_DIR")
    if directory and os.path.exists(os.path.join(directory, "plinth_pb2.py")):
        return _from_file(os.path.join(directory, "plinth_pb2.py"))
    module = _generate_from_source_tree()
    if module is None:
        raise ImportError("plinth: cannot find the generated plinth_pb2 module; use PYTHONPATH=BUILD/python")
    return module


pb = load()
