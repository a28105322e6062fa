"""A non-Java client of cifar-stream's topics, built only from the .avsc files and the wire format.

Value = 0xC3 0x01 | CRC-64-AVRO fingerprint of the writer schema's Parsing Canonical Form, 8 bytes
little-endian | Avro binary body. The canonical form and fingerprint are computed here from the
specification, not taken from the avro package: python3-avro 1.11's Schema.canonical_form keeps
logical-type primitives as {"type":"long"}, which yields a different fingerprint than Java.

  decode-image AVSC FILE        prints the ImageEvent in FILE as key=value lines
  encode-label AVSC FILE ID LABEL TIME_MS
                                writes one Label value to FILE
"""
import hashlib
import io
import json
import struct
import sys
from datetime import datetime, timezone

import avro.io
import avro.schema

MARKER = b"\xc3\x01"
EMPTY = 0xC15D213AA4D7A795
PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
NAMED = {"record", "error", "enum", "fixed"}


def crc64_table():
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
        table.append(fp)
    return table


TABLE = crc64_table()


def fingerprint64(data):
    fp = EMPTY
    for byte in data:
        fp = (fp >> 8) ^ TABLE[(fp ^ byte) & 0xFF]
    return fp


def full_name(name, namespace):
    return name if "." in name or not namespace else namespace + "." + name


def canonical(schema, namespace=""):
    """Parsing Canonical Form: full names, only the attributes that matter for parsing, fixed order."""
    dumps = lambda value: json.dumps(value, ensure_ascii=False)
    if isinstance(schema, str):
        return dumps(schema if schema in PRIMITIVES else full_name(schema, namespace))
    if isinstance(schema, list):
        return "[" + ",".join(canonical(branch, namespace) for branch in schema) + "]"
    kind = schema["type"]
    if not isinstance(kind, str):
        return canonical(kind, namespace)
    if kind in PRIMITIVES:
        return dumps(kind)  # drops logicalType and every other attribute
    if kind in NAMED:
        name = full_name(schema["name"], schema.get("namespace", namespace))
        inner = name.rpartition(".")[0]
        parts = ['"name":' + dumps(name), '"type":' + dumps(kind)]
        if kind in ("record", "error"):
            fields = ",".join('{"name":' + dumps(f["name"]) + ',"type":' + canonical(f["type"], inner) + "}"
                              for f in schema["fields"])
            parts.append('"fields":[' + fields + "]")
        elif kind == "enum":
            parts.append('"symbols":' + json.dumps(schema["symbols"], separators=(",", ":")))
        else:
            parts.append('"size":' + str(int(schema["size"])))
        return "{" + ",".join(parts) + "}"
    if kind == "array":
        return '{"type":"array","items":' + canonical(schema["items"], namespace) + "}"
    if kind == "map":
        return '{"type":"map","values":' + canonical(schema["values"], namespace) + "}"
    return dumps(full_name(kind, namespace))  # a reference to a named type


def load(avsc_path):
    text = open(avsc_path, encoding="utf-8").read()
    fp = fingerprint64(canonical(json.loads(text)).encode("utf-8"))
    return avro.schema.parse(text), fp


def decode(value, schema, fp):
    if value[:2] != MARKER:
        sys.exit("not single-object encoded: starts with %r" % value[:2])
    (written_fp,) = struct.unpack("<Q", value[2:10])
    if written_fp != fp:
        sys.exit("written with schema %016x, this .avsc is %016x" % (written_fp, fp))
    body = io.BytesIO(value[10:])
    record = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(body))
    if body.read():
        sys.exit("bytes left over after the record")
    return record


def encode(record, schema, fp):
    out = io.BytesIO()
    out.write(MARKER + struct.pack("<Q", fp))
    avro.io.DatumWriter(schema).write(record, avro.io.BinaryEncoder(out))
    return out.getvalue()


def epoch_millis(value):
    # python3-avro turns timestamp-millis into an aware datetime
    return round(value.timestamp() * 1000) if isinstance(value, datetime) else value


def main(args):
    command, avsc, path = args[0], args[1], args[2]
    schema, fp = load(avsc)
    if command == "decode-image":
        event = decode(open(path, "rb").read(), schema, fp)
        print("fingerprint=%016x" % fp)
        for key in ("id", "source", "label", "width", "height", "channels", "encoding"):
            print("%s=%s" % (key, event[key]))
        print("event_time=%d" % epoch_millis(event["event_time"]))
        print("data_length=%d" % len(event["data"]))
        print("data_sha256=%s" % hashlib.sha256(event["data"]).hexdigest())
    elif command == "encode-label":
        image_id, label, millis = args[3], int(args[4]), int(args[5])
        when = datetime.fromtimestamp(millis / 1000, tz=timezone.utc)
        record = {"image_id": image_id, "label": label, "label_time": when}
        open(path, "wb").write(encode(record, schema, fp))
        print("fingerprint=%016x" % fp)
    else:
        sys.exit("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv[1:])
