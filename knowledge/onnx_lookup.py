"""Look up MiniLM's word embeddings in int8 and dequantise only the rows a batch uses.

The int8 export stores each weight as ``Cast(w_q) * w_scale`` in the graph. Graph
optimisation folds those into fp32 constants, which is what keeps inference fast, but
for the 30522 x 384 word-embedding table that fold makes a 47 MB fp32 copy of a 12 MB
int8 table, of which a query reads a few dozen rows. :func:`gather_before_dequantise`
rewrites ``Gather(Cast(w_q) * w_scale, ids)`` into ``Cast(Gather(w_q, ids)) *
Gather(w_scale, ids)``: the same float products for the rows read, so the embeddings
are bit-identical, while the table stays int8 in memory (measured: the loaded model
takes ~71 MB instead of ~104 MB, and a short query is no slower). The other weights
are still folded, since dequantising them on every call would cost far more.

The edit works on the protobuf wire format directly, so the ``onnx`` package is not
needed at run time; if the graph does not have the expected shape (another export),
the model bytes are returned unchanged. The edited model is handed to onnxruntime as a
(temporary) file, not as bytes: a session built from bytes stays ~22 MB larger.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: The table that is worth keeping in int8 (the other tables are small).
WORD_EMBEDDINGS = "inner.embeddings.word_embeddings.weight"

# Field numbers from onnx.proto: ModelProto.graph, GraphProto.node and the NodeProto
# fields read or written here.
_MODEL_GRAPH = 7
_GRAPH_NODE = 1
_NODE_INPUT, _NODE_OUTPUT, _NODE_OP_TYPE, _NODE_ATTRIBUTE = 1, 2, 4, 5
_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5


@dataclass(frozen=True)
class _Field:
    """One top-level record of a protobuf message: its number and its raw bytes."""

    number: int
    wire_type: int
    raw: bytes
    payload: bytes  # the value of a length-delimited field, else empty


@dataclass(frozen=True)
class _Node:
    op_type: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attributes: tuple[bytes, ...]  # raw AttributeProto payloads, copied as they are


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _fields(data: bytes) -> list[_Field]:
    fields: list[_Field] = []
    pos = 0
    while pos < len(data):
        start = pos
        key, pos = _varint(data, pos)
        number, wire_type = key >> 3, key & 7
        payload = b""
        if wire_type == _VARINT:
            _, pos = _varint(data, pos)
        elif wire_type == _FIXED64:
            pos += 8
        elif wire_type == _FIXED32:
            pos += 4
        elif wire_type == _LENGTH:
            length, pos = _varint(data, pos)
            payload = data[pos : pos + length]
            pos += length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire_type}")
        fields.append(_Field(number, wire_type, data[start:pos], payload))
    return fields


def _length_field(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | _LENGTH) + _encode_varint(len(payload)) + payload


def _parse_node(payload: bytes) -> _Node:
    fields = _fields(payload)

    def strings(number: int) -> tuple[str, ...]:
        return tuple(f.payload.decode() for f in fields if f.number == number)

    op_types = strings(_NODE_OP_TYPE)
    attributes = tuple(f.payload for f in fields if f.number == _NODE_ATTRIBUTE)
    return _Node(
        op_types[0] if op_types else "", strings(_NODE_INPUT), strings(_NODE_OUTPUT), attributes
    )


def _encode_node(node: _Node) -> bytes:
    parts = [_length_field(_NODE_INPUT, name.encode()) for name in node.inputs]
    parts += [_length_field(_NODE_OUTPUT, name.encode()) for name in node.outputs]
    parts.append(_length_field(_NODE_OP_TYPE, node.op_type.encode()))
    parts += [_length_field(_NODE_ATTRIBUTE, attribute) for attribute in node.attributes]
    return _length_field(_GRAPH_NODE, b"".join(parts))


def _is_axis_zero(attribute: bytes) -> bool:
    """True for an AttributeProto ``axis = 0`` (name is field 1, an int value field 3)."""
    fields = _fields(attribute)
    names = [f.payload for f in fields if f.number == 1]
    values = [_varint(f.raw, 1)[0] for f in fields if f.number == 3 and f.wire_type == _VARINT]
    return names == [b"axis"] and values == [0]


def _rewrite_graph(graph: bytes, table: str) -> bytes | None:
    fields = _fields(graph)
    nodes = {i: _parse_node(f.payload) for i, f in enumerate(fields) if f.number == _GRAPH_NODE}
    quantized, scale = f"{table}_q", f"{table}_scale"
    cast = next(
        (i for i, n in nodes.items() if n.op_type == "Cast" and n.inputs == (quantized,)), None
    )
    if cast is None:
        return None
    mul = next(
        (
            i
            for i, n in nodes.items()
            if n.op_type == "Mul" and n.inputs == (nodes[cast].outputs[0], scale)
        ),
        None,
    )
    if mul is None:
        return None
    # The fp32 table and its unscaled copy must have no other use than one lookup.
    cast_out, table_out = nodes[cast].outputs[0], nodes[mul].outputs[0]
    users = [i for i, n in nodes.items() if cast_out in n.inputs or table_out in n.inputs]
    if len(users) != 2 or mul not in users:
        return None
    gather = users[0] if users[1] == mul else users[1]
    lookup = nodes[gather]
    # Only a row lookup (axis 0) on the table can be moved.
    if lookup.op_type != "Gather" or lookup.inputs[0] != table_out:
        return None
    if not all(_is_axis_zero(attribute) for attribute in lookup.attributes):
        return None
    ids = lookup.inputs[1]
    replacement = [
        _Node("Gather", (quantized, ids), (f"{table}_q_rows",), lookup.attributes),
        _Node("Gather", (scale, ids), (f"{table}_scale_rows",), lookup.attributes),
        _Node("Cast", (f"{table}_q_rows",), (f"{table}_f_rows",), nodes[cast].attributes),
        _Node("Mul", (f"{table}_f_rows", f"{table}_scale_rows"), lookup.outputs, ()),
    ]
    out: list[bytes] = []
    for i, f in enumerate(fields):
        if i == gather:
            out.extend(_encode_node(node) for node in replacement)
        elif i not in (cast, mul):
            out.append(f.raw)
    return b"".join(out)


def gather_before_dequantise(model: bytes, table: str = WORD_EMBEDDINGS) -> bytes:
    """``model`` with ``table`` looked up in int8 (see the module docstring), or unchanged."""
    fields = _fields(model)
    out: list[bytes] = []
    changed = False
    for f in fields:
        if f.number == _MODEL_GRAPH and f.wire_type == _LENGTH and not changed:
            graph = _rewrite_graph(f.payload, table)
            if graph is not None:
                out.append(_length_field(_MODEL_GRAPH, graph))
                changed = True
                continue
        out.append(f.raw)
    return b"".join(out) if changed else model


@contextlib.contextmanager
def int8_lookup_model(source: Path) -> Iterator[Path]:
    """A temporary copy of the model at ``source`` with the word embeddings looked up in int8.

    Build the session inside the ``with``; the file is deleted when it ends. Where no
    temporary file can be written, ``source`` itself is used: same outputs, more memory.
    """
    with contextlib.ExitStack() as stack:
        try:
            directory = stack.enter_context(tempfile.TemporaryDirectory(prefix="touchstone-"))
            path = Path(directory) / source.name
            path.write_bytes(gather_before_dequantise(source.read_bytes()))
        except OSError:
            path = source
        yield path
