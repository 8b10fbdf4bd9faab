"""Plinth from Python: the live data stream and session archives.

    import plinth
    for msg in plinth.subscribe("tcp://127.0.0.1:7460", ["pressure.metrics."], count=10):
        print(msg.topic, msg.message.total_load_n)
    s = plinth.open_session("sessions/20261123T091500Z-7f3a.h5")
    s.mat.metrics["total_load_n"], s.events, s.heart.beats

Needs only Debian's python3-zmq, python3-protobuf, python3-h5py and python3-numpy.
"""
from ._proto import pb
from .archive import Heart, Mat, Session, open_session, rmssd_change_pct
from .history import history
from .stream import DEFAULT_ENDPOINT, Message, decode, message_class, subscribe, to_dict

__all__ = ["pb", "open_session", "history", "Session", "Mat", "Heart", "rmssd_change_pct", "subscribe", "Message", "decode",
           "message_class", "to_dict", "DEFAULT_ENDPOINT"]
