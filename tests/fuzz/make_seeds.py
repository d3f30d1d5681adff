#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Each seed is one input of fuzz_services.cc: records of (method index, caller index, u16 LE
length, serialized request). Method indices follow fuzz_services.cc: the unary methods of the
services in its list, in declaration order, then the server streams. Run again after adding
RPCs (from the repo root: tests/fuzz/make_seeds.py). Needs Debian's python3-protobuf and protoc.
"""
import base64
import hashlib
import hmac
import os
import struct
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, text_format

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVICES = ["AuthService", "OrganizationService", "PersonService", "AttendanceService",
            "FeedbackService", "StudyService", "SyncService", "CalendarService"]
# Caller indices of fuzz_services.cc.
NONE, TAMPERED, ADMIN, SECRETARY, MEMBER, SERVICE = range(6)


def load_pool():
    protos = []
    for d, _, files in os.walk(os.path.join(ROOT, "proto", "branchline", "v1")):
        protos += [os.path.relpath(os.path.join(d, f), os.path.join(ROOT, "proto"))
                   for f in files if f.endswith(".proto")]
    with tempfile.NamedTemporaryFile(suffix=".pb") as out:
        subprocess.check_call(["protoc", "-I", os.path.join(ROOT, "proto"),
                               "-I", os.path.join(ROOT, "proto", "third_party"),
                               "-I", "/usr/include", "--include_imports",
                               "--descriptor_set_out=" + out.name] + sorted(protos))
        fds = descriptor_pb2.FileDescriptorSet.FromString(open(out.name, "rb").read())
    pool = descriptor_pool.DescriptorPool()
    for f in fds.file:
        pool.Add(f)
    return pool


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def varint(v):
    out = b""
    while True:
        byte = v & 0x7F
        v >>= 7
        if v:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def write(target, seeds):
    out_dir = os.path.join(ROOT, "tests", "fuzz", "corpus", target)
    os.makedirs(out_dir, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {out_dir}")


def small_seeds():
    person = (1 << 40) | 5
    # TokenClaims {version 1, person, tenant 1, session 9, issued_at, expires_at} signed with
    # the fuzz target's fixed key (32 x 'k'); kNow there is 1.8e9.
    claims = (b"\x08\x01\x10" + varint(person) + b"\x18\x01\x20\x09\x28" + varint(1_799_999_000)
              + b"\x30" + varint(1_800_000_900))
    mac = hmac.new(b"k" * 32, claims, hashlib.sha256).digest()
    write("tokens", {
        "valid_token": b"bl1." + b64(claims) + b"." + b64(mac),
        "claims_payload": claims,
        "refresh_token": b"blr1.1099511627781.77." + b64(bytes(range(32))),
        "service_key": b"bls1.1099511627781." + b64(bytes(range(1, 33))),
        "empty": b"",
        # Reproducers: absl::SimpleAtoi took "+5", " 5" and "05", so these non-canonical
        # spellings of one credential used to parse (fixed in key_format.cc).
        "repro-noncanonical-id-plus": b"blr1.+1099511627781.77." + b64(bytes(range(32))),
        "repro-noncanonical-id-zero": b"bls1.01099511627781." + b64(bytes(range(32))),
        "repro-noncanonical-id-space": b"blr1. 1099511627781.77." + b64(bytes(range(32))),
    })
    cursor = b"\x08\x01\x10" + varint((7 << 40) | 42) + b"\x18" + varint(500)
    write("cursors", {
        "cursor": b64(cursor),
        "other_holder": b64(b"\x08\x01\x10\x05\x18\x05"),
        "ahead": b64(b"\x08\x01\x10" + varint((7 << 40) | 42) + b"\x18" + varint(5000)),
        "page_token": b64(b"\x00\x00\x00\x07\x01\x02\x00\x00\x01\x00\x00\x00\x00\x09"),
        "sequence": b"\x00\x00\x00\x00\x00\x00\x01\xf4",
    })
    write("key_codec", {
        # shape length 3: u32, u16, string
        "tenant_index_string": b"\x03\x02\x01\x05" + b"\x00\x00\x00\x07\x00\x10"
                               + b"\x00\x00\x00\x03abc",
        "record_key": b"\x02\x02\x03" + b"\x00\x00\x00\x01" + b"\x00\x00\x01\x00\x00\x00\x00\x05",
        "times": b"\x01\x04" + b"\x80\x00\x00\x00\x00\x00\x00\x01" + b"\x7f\xff\xff\xff\xff\xff\xff\xff",
        "all_ff": b"\x00\xff\xff\xff",
        "truncated_string": b"\x01\x05\x00\x00\x00\x09ab",
    })


def main():
    small_seeds()
    pool = load_pool()
    factory = message_factory.MessageFactory(pool)
    methods, streams = [], []
    for name in SERVICES:
        service = pool.FindServiceByName("branchline.v1." + name)
        for m in service.methods:
            if not m.client_streaming:
                (streams if m.server_streaming else methods).append(m)
    methods += streams  # the server streams last, as in fuzz_services.cc
    index = {m.name: i for i, m in enumerate(methods)}

    def record(method, caller, text=""):
        m = methods[index[method]]
        msg = factory.GetPrototype(m.input_type)()
        text_format.Parse(text, msg)
        body = msg.SerializeToString()
        return struct.pack("<BBH", index[method], caller, len(body)) + body

    seeds = {}
    # Every method once, empty, as the administrator and as a member: reaches each
    # validation path's first check.
    for m in methods:
        seeds["empty_" + m.name] = record(m.name, ADMIN) + record(m.name, MEMBER)
    seeds["sign_in"] = record("SignIn", NONE, 'login: "member" password: "password-123"')
    seeds["sign_in_bad_tenant"] = record("SignIn", NONE, 'tenant_id: 99999999 login: "x" password: "y"')
    seeds["org_then_list"] = (
        record("CreateOrganization", ADMIN,
               'request_id: "s1" organization { name: "第二支部" kind: ORGANIZATION_KIND_BRANCH '
               'parent_id: 1099511627777 }')
        + record("ListOrganizations", ADMIN, "page_size: 2")
        + record("ListOrganizations", ADMIN, 'page_size: 2 page_token: "AAAAAQ"'))
    seeds["person"] = record(
        "CreatePerson", ADMIN,
        'request_id: "s2" person { organization_id: 1099511627777 display_name: "李四" '
        'employee_number: "e-1" role: ROLE_FULL_MEMBER } initial_password: "password-123"')
    seeds["letter"] = record(
        "SubmitLetter", MEMBER,
        'request_id: "s3" organization_id: 1099511627777 subject: "食堂" body: "意见" '
        "anonymous: true")
    seeds["changes"] = (record("ListChanges", MEMBER, "page_size: 5")
                        + record("ListChanges", MEMBER, 'cursor: "CAEQKhgF"')
                        + record("ListChanges", SERVICE, 'cursor: "!!!"'))
    seeds["series"] = (
        record("CreateMeetingSeries", ADMIN,
               'request_id: "s5" series { meeting { organization_id: 1099511627777 '
               'type: MEETING_TYPE_SAFETY_MEETING title: "安全例会" '
               'start_time { seconds: 4102444800 } end_time { seconds: 4102448400 } } '
               'rule: "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3" }')
        + record("ListMeetingSeries", MEMBER, "organization_id: 1099511627777")
        + record("SetHolidays", ADMIN,
                 'request_id: "s6" holidays { organization_id: 1099511627777 '
                 "dates { year: 2100 month: 2 day: 30 } }"))
    seeds["absences"] = (
        record("RequestAbsence", MEMBER,
               'request_id: "s7" type: ABSENCE_TYPE_DUTY_RUN from_date { year: 2100 month: 1 day: 4 } '
               'to_date { year: 2100 month: 1 day: 10 } reason: "出车"')
        + record("DecideAbsence", SECRETARY, 'request_id: "s8" id: 1099511627800 approve: true')
        + record("WithdrawAbsence", MEMBER, 'request_id: "s9" id: 1099511627800')
        + record("ListAbsences", SECRETARY, "organization_id: 1099511627777 state: ABSENCE_STATE_APPROVED")
        + record("RequestAbsence", MEMBER,
                 'request_id: "s10" type: ABSENCE_TYPE_SICK_LEAVE from_date { year: 2100 month: 1 day: 1 } '
                 'to_date { year: 2100 month: 6 day: 1 } reason: "病"'))
    seeds["people_as_service"] = record("ListPeople", SERVICE, "include_descendants: true")
    # Invalid UTF-8 in `subject` (field 4) cannot be written as text format: raw bytes.
    body = b"\x0a\x02s4" + b"\x22\x02\xff\xfe"
    seeds["bad_utf8"] = struct.pack("<BBH", index["SubmitLetter"], MEMBER, len(body)) + body
    # The server streams: a live WatchChanges (read a little, then cancelled), the CSV and
    # iCalendar exports, and a WatchChanges request that does not parse (INVALID_ARGUMENT,
    # issue #19).
    seeds["streams"] = (record("WatchChanges", MEMBER, "heartbeat_seconds: 5")
                        + record("WatchChanges", ADMIN, 'cursor: "!!!"')
                        + record("ExportRoster", ADMIN, "meeting_id: 1")
                        + record("ExportAttendanceReport", ADMIN, "organization_id: 1099511627777")
                        + record("ExportMyCalendar", MEMBER, "days: 7")
                        + record("ExportMyCalendar", MEMBER, "days: 400"))
    body = b"\x0a\x05ab"
    seeds["stream_unparseable"] = struct.pack("<BBH", index["WatchChanges"], MEMBER, len(body)) + body
    write("services", seeds)


if __name__ == "__main__":
    sys.exit(main())
