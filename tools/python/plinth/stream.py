"""Subscribing to the live data stream (schemas/topics.md): ZeroMQ SUB, two frames per
message (topic, protobuf payload), decoded with the generated plinth_pb2."""
import collections
import time

import zmq
from ._proto import pb

DEFAULT_ENDPOINT = "tcp://127.0.0.1:7460"

# Topic prefix -> message name in schemas/proto/plinth.proto (longest prefixes first).
_TOPICS = (
    ("pressure.frame.", "PressureFrame"),
    ("pressure.metrics.", "PressureMetrics"),
    ("pressure.exposure.", "PressureExposure"),
    ("pressure.risk.", "PressureExposure"),  # the topic's name before v1.1; same message bytes
    ("heart.beat.", "HeartBeat"),
    ("heart.beat_final.", "HeartBeat"),  # final artifact decisions (schemas/hrv.md section 3.2)
    ("heart.hrv.", "HeartHrv"),
    ("relaxation", "Relaxation"),
    ("session.event", "SessionEvent"),
    ("status", "Status"),
    ("hub.status", "HubStatus"),  # from `plinth hub` (schemas/hub.md)
)

Message = collections.namedtuple("Message", "topic message received_ns")
Message.__doc__ = """One received message: its topic (str), the decoded protobuf message (or a
dict with as_dict=True) and received_ns, this process's receipt time in UNIX ns."""


def message_class(topic):
    """The protobuf class carried on `topic`, or None for a topic this version does not know."""
    for prefix, name in _TOPICS:
        if topic == prefix or (prefix.endswith(".") and topic.startswith(prefix)):
            return getattr(pb, name, None)
    return None


def decode(topic, payload):
    """Decodes one payload; raises ValueError for an unknown topic or a payload that does not parse."""
    cls = message_class(topic)
    if cls is None:
        raise ValueError(f"unknown topic {topic!r}")
    message = cls()
    try:
        message.ParseFromString(payload)
    except Exception as e:  # protobuf raises its own DecodeError
        raise ValueError(f"payload on {topic!r} does not parse as {cls.__name__}: {e}") from e
    return message


def to_dict(message):
    """A message as a plain dict with the .proto field names (int64 stay ints, NaN stays NaN)."""
    return _message_dict(message)


def _message_dict(message):
    out = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if field.message_type is not None:
            if field.label == field.LABEL_REPEATED:
                value = [_message_dict(v) for v in value]
            else:
                value = _message_dict(value)
        elif field.label == field.LABEL_REPEATED:
            value = list(value)
        out[field.name] = value
    return out


def subscribe(endpoint=DEFAULT_ENDPOINT, topics=("",), as_dict=False, timeout=None, count=None,
              context=None, curve_server_key=None, curve_client_keys=None, skip_unknown=True):
    """Yields Message(topic, message, received_ns) for every message on `topics` (prefixes;
    "" = everything) published at `endpoint`.

    as_dict: yield plain dicts instead of protobuf messages.
    timeout: stop after this many seconds without a message (None: wait for ever).
    count: stop after this many messages.
    curve_server_key / curve_client_keys: Z85 keys (server public; (client public, client
    secret)) when the data endpoint uses CURVE (schemas/security.md); without client keys an
    ephemeral pair is made.
    skip_unknown: ignore topics this version cannot decode (else raise ValueError).
    """
    if isinstance(topics, str):
        topics = (topics,)
    own_context = context is None
    context = context or zmq.Context()
    socket = context.socket(zmq.SUB)
    try:
        socket.setsockopt(zmq.LINGER, 0)
        socket.setsockopt(zmq.RCVHWM, 100000)
        if curve_server_key:
            public, secret = curve_client_keys or zmq.curve_keypair()
            socket.curve_serverkey = _bytes(curve_server_key)
            socket.curve_publickey = _bytes(public)
            socket.curve_secretkey = _bytes(secret)
        socket.connect(endpoint)
        for topic in topics:
            socket.setsockopt(zmq.SUBSCRIBE, topic.encode() if isinstance(topic, str) else topic)
        received = 0
        while count is None or received < count:
            if not socket.poll(None if timeout is None else int(timeout * 1000)):
                return
            frames = socket.recv_multipart()
            received_ns = time.time_ns()
            if len(frames) != 2:
                continue
            topic = frames[0].decode("utf-8", errors="replace")
            if message_class(topic) is None and skip_unknown:
                continue
            message = decode(topic, frames[1])
            received += 1
            yield Message(topic, to_dict(message) if as_dict else message, received_ns)
    finally:
        socket.close(0)
        if own_context:
            context.term()


def _bytes(key):
    return key.encode() if isinstance(key, str) else key
