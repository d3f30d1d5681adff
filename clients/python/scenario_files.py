"""Files scenario, as a phone on a mountain road sends its evidence: the secretary's photo of a
life meeting goes up in three chunks and the connection drops after the second; a new
connection asks where the upload stands and sends only the third. The photo comes back in
ranges, byte for byte. A worker sends a photo with an anonymous letter: the server keeps
neither her, nor the time, nor the text the camera wrote into the file, and the secretary who
handles the letter finds the photo on it.

Usage: /usr/bin/python3 scenario_files.py HOST:PORT ADMIN_PASSWORD [STUBS_DIR]
"""

import hashlib
import struct
import sys
import zlib

sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else __file__.rsplit("/", 1)[0] + "/gen")
sys.path.insert(0, __file__.rsplit("/", 1)[0])

import grpc  # noqa: E402

from branchline.v1 import common_pb2, feedback_pb2, feedback_pb2_grpc, files_pb2  # noqa: E402
from branchline.v1 import files_pb2_grpc, organizations_pb2  # noqa: E402
from branchline_client import Client, check, create_person, request_id  # noqa: E402


def png(width, height, text=b""):
    """A gradient PNG made with zlib alone, with a tEXt chunk when `text` is given (the
    "Author" a phone's camera app may write)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\0" + bytes(v for x in range(width)
                                  for v in (x * 255 // width, y * 255 // height, (x + y) % 256))
                    for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    extra = chunk(b"tEXt", b"Author\0" + text) if text else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra
            + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))


def signed_in(address, phone):
    client = Client(address)
    client.sign_in(phone, "password-123")
    return client


def start(client, org, name, data, anonymous=False):
    stub = files_pb2_grpc.FileServiceStub(client.channel)
    return client.call(stub.StartUpload, files_pb2.StartUploadRequest(
        request_id=request_id(), organization_id=org, file_name=name, size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(), anonymous=anonymous))


def send(client, upload_id, offset, data):
    stub = files_pb2_grpc.FileServiceStub(client.channel)
    return client.call(stub.UploadChunk, files_pb2.UploadChunkRequest(
        upload_id=upload_id, offset=offset, data=data))


def download(client, file_id, length=50000):
    stub = files_pb2_grpc.FileServiceStub(client.channel)
    data = b""
    while True:
        part = client.call(stub.GetFileContent, files_pb2.GetFileContentRequest(
            id=file_id, offset=len(data), length=length))
        data += part.data
        if len(data) >= part.total_bytes:
            return data, part


def main():
    address, admin_password = sys.argv[1], sys.argv[2]
    admin = Client(address)
    admin.sign_in("admin", admin_password)
    root = admin.person.organization_id
    branch = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(),
        organization=organizations_pb2.Organization(
            parent_id=root, name="采油二厂党支部", kind=organizations_pb2.ORGANIZATION_KIND_BRANCH)))
    create_person(admin, branch.id, "王书记", "13900000101", common_pb2.ROLE_SECRETARY)
    create_person(admin, branch.id, "刘师傅", "13900000102", common_pb2.ROLE_EMPLOYEE)
    secretary = signed_in(address, "13900000101")

    photo = png(240, 180)
    third = len(photo) // 3 + 1
    upload = start(secretary, branch.id, "组织生活会.png", photo)
    upload = send(secretary, upload.upload_id, 0, photo[:third])
    upload = send(secretary, upload.upload_id, third, photo[third:2 * third])
    secretary.channel.close()
    check(upload.received_bytes == 2 * third, "two chunks stored, then the connection dropped")

    phone = signed_in(address, "13900000101")
    stub = files_pb2_grpc.FileServiceStub(phone.channel)
    where = phone.call(stub.GetUpload, files_pb2.GetUploadRequest(upload_id=upload.upload_id))
    check(where.received_bytes == 2 * third, "a new connection learns where to go on")
    try:
        send(phone, upload.upload_id, where.received_bytes + 10, photo[where.received_bytes + 10:])
        check(False, "a chunk from the wrong place must be refused")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.FAILED_PRECONDITION,
              "a chunk from the wrong place is refused")
    send(phone, upload.upload_id, where.received_bytes, photo[where.received_bytes:])
    stored = phone.call(stub.FinishUpload, files_pb2.FinishUploadRequest(upload_id=upload.upload_id))
    check(stored.content_type == "image/png" and stored.width == 240 and stored.has_thumbnail,
          "the photo is stored as a 240x180 PNG with a thumbnail")
    data, part = download(phone, stored.id)
    check(data == photo and part.sha256 == hashlib.sha256(photo).hexdigest(),
          "it comes back in ranges, byte for byte")

    worker = signed_in(address, "13900000102")
    marked = png(64, 48, text="刘师傅的手机".encode("utf-8"))
    upload = start(worker, branch.id, "IMG_20261203_101512.png", marked, anonymous=True)
    send(worker, upload.upload_id, 0, marked)
    wstub = files_pb2_grpc.FileServiceStub(worker.channel)
    anonymous = worker.call(wstub.FinishUpload,
                            files_pb2.FinishUploadRequest(upload_id=upload.upload_id))
    check(anonymous.uploader_person_id == 0 and anonymous.file_name == "附件.png"
          and anonymous.create_time.ToSeconds() % 86400 == 0 and anonymous.metadata_removed,
          "the anonymous photo keeps no uploader, no name and only the day")
    data, _ = download(phone, anonymous.id)
    check("刘师傅".encode("utf-8") not in data and b"tEXt" not in data and data.startswith(b"\x89PNG"),
          "and the text the camera wrote is gone from the stored file")
    letter = worker.call(feedback_pb2_grpc.FeedbackServiceStub(worker.channel).SubmitLetter,
                         feedback_pb2.SubmitLetterRequest(
        request_id=request_id(), category=feedback_pb2.LETTER_CATEGORY_DIFFICULTY,
        subject="井场值班房漏雨", body="照片见附件", anonymous=True,
        attachment_file_ids=[anonymous.id])).letter
    attached = phone.call(stub.ListAttachments, files_pb2.ListAttachmentsRequest(
        of=files_pb2.AttachmentRef(target=files_pb2.ATTACHMENT_TARGET_LETTER, object_id=letter.id)))
    check(letter.author_person_id == 0 and [f.id for f in attached.files] == [anonymous.id],
          "she sends it with an anonymous letter, whose handler finds the photo on it")
    listed = phone.call(stub.ListFiles, files_pb2.ListFilesRequest(organization_id=branch.id))
    check(len(listed.files) == 2 and listed.used_bytes == len(photo) + anonymous.size_bytes,
          "the branch's list shows both files and the bytes they use")
    print("files scenario: ok")


if __name__ == "__main__":
    main()
