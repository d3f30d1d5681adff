"""A small helper over the generated stubs: one channel, signed-in calls, error details."""

import os
import uuid

import grpc
from google.rpc import error_details_pb2, status_pb2

from branchline.v1 import auth_pb2, auth_pb2_grpc
from branchline.v1 import organizations_pb2_grpc, people_pb2, people_pb2_grpc


def request_id():
    """A fresh client-generated request id (every mutating call carries one)."""
    return str(uuid.uuid4())


def channel_to(address):
    """A channel to `address`: plaintext, or TLS when $BRANCHLINE_TLS_CA names a CA file (the
    edge test runs the scenarios through nginx this way; the certificate is for localhost)."""
    ca_file = os.environ.get("BRANCHLINE_TLS_CA")
    if not ca_file:
        return grpc.insecure_channel(address)
    with open(ca_file, "rb") as f:
        credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
    return grpc.secure_channel(address, credentials,
                               options=[("grpc.ssl_target_name_override", "localhost")])


class Client:
    def __init__(self, address):
        self.channel = channel_to(address)
        self.auth = auth_pb2_grpc.AuthServiceStub(self.channel)
        self.orgs = organizations_pb2_grpc.OrganizationServiceStub(self.channel)
        self.people = people_pb2_grpc.PersonServiceStub(self.channel)
        self.token = None
        self.person = None

    def sign_in(self, login, password, tenant_id=0):
        response = self.auth.SignIn(
            auth_pb2.SignInRequest(login=login, password=password, tenant_id=tenant_id),
            timeout=10)
        self.token = response.access_token
        self.person = response.person
        return response

    def md(self):
        return [("authorization", "Bearer " + self.token)]

    def call(self, method, request, timeout=10):
        """Calls a stub method with this client's token and a deadline."""
        return method(request, metadata=self.md(), timeout=timeout)


def _details(error, message_type):
    """The detail of type `message_type` in a grpc.RpcError's google.rpc.Status, or None."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            for detail in status_pb2.Status.FromString(value).details:
                message = message_type()
                if detail.Unpack(message):
                    return message
    return None


def violation_field(error):
    """The field named by the google.rpc.BadRequest detail of a grpc.RpcError, or None."""
    bad = _details(error, error_details_pb2.BadRequest)
    return bad.field_violations[0].field if bad and bad.field_violations else None


def retry_delay(error):
    """Seconds of the google.rpc.RetryInfo detail of a grpc.RpcError, or None."""
    info = _details(error, error_details_pb2.RetryInfo)
    return info.retry_delay.seconds if info else None


def error_reason(error):
    """The google.rpc.ErrorInfo reason of a grpc.RpcError (docs/errors.md), or None."""
    info = _details(error, error_details_pb2.ErrorInfo)
    return info.reason if info else None


def localized_message(error):
    """(locale, text) of the google.rpc.LocalizedMessage of a grpc.RpcError, or None."""
    text = _details(error, error_details_pb2.LocalizedMessage)
    return (text.locale, text.message) if text else None


def check(condition, message):
    """A scenario step: prints it, or stops the scenario with a failure."""
    if not condition:
        raise SystemExit("FAILED: " + message)
    print("ok -", message)


def create_person(admin, org, name, phone, role, password="password-123"):
    """Creates a person who signs in with `phone` and `password`, as the signed-in `admin`."""
    return admin.call(admin.people.CreatePerson, people_pb2.CreatePersonRequest(
        request_id=request_id(),
        person=people_pb2.Person(organization_id=org, display_name=name, phone=phone, role=role),
        initial_password=password))
