"""Foundation scenario: the bootstrap admin creates an organisation and a person and reads them
back; the person signs in; invalid input gets INVALID_ARGUMENT naming the field.

Usage: /usr/bin/python3 scenario_foundation.py HOST:PORT ADMIN_PASSWORD [STUBS_DIR]
"""

import sys

sys.path.insert(0, sys.argv[3] if len(sys.argv) > 3 else __file__.rsplit("/", 1)[0] + "/gen")
sys.path.insert(0, __file__.rsplit("/", 1)[0])

import grpc  # noqa: E402

from branchline.v1 import common_pb2, organizations_pb2, people_pb2  # noqa: E402
from branchline_client import Client, check, request_id, violation_field  # noqa: E402
from grpc_health import health_pb2, health_pb2_grpc  # noqa: E402


def main():
    address, admin_password = sys.argv[1], sys.argv[2]
    admin = Client(address)

    health = health_pb2_grpc.HealthStub(admin.channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    check(health.status == health_pb2.HealthCheckResponse.SERVING, "health is SERVING")

    admin.sign_in("admin", admin_password)
    root = admin.person.organization_id
    check(root != 0, "admin signed in, root organisation %d" % root)

    branch = admin.call(admin.orgs.CreateOrganization, organizations_pb2.CreateOrganizationRequest(
        request_id=request_id(),
        organization=organizations_pb2.Organization(
            parent_id=root, name="运输四队党支部", kind=organizations_pb2.ORGANIZATION_KIND_BRANCH)))
    check(branch.utc_offset_minutes == 480, "branch created, offset inherited")

    person = admin.call(admin.people.CreatePerson, people_pb2.CreatePersonRequest(
        request_id=request_id(),
        person=people_pb2.Person(organization_id=branch.id, display_name="张建国",
                                 phone="13800138000", role=common_pb2.ROLE_FULL_MEMBER),
        initial_password="password-123"))

    got_org = admin.call(admin.orgs.GetOrganization, organizations_pb2.GetOrganizationRequest(id=branch.id))
    check(got_org.name == "运输四队党支部", "organisation read back with its Chinese name")
    got = admin.call(admin.people.GetPerson, people_pb2.GetPersonRequest(id=person.id))
    check(got.display_name == "张建国" and got.organization_id == branch.id, "person read back")

    listed = admin.call(admin.people.ListPeople, people_pb2.ListPeopleRequest(organization_id=branch.id))
    check([p.id for p in listed.people] == [person.id], "person listed in the branch")

    driver = Client(address)
    driver.sign_in("13800138000", "password-123")
    check(driver.person.id == person.id, "the person signs in with the phone number")

    try:
        admin.call(admin.people.CreatePerson, people_pb2.CreatePersonRequest(
            request_id=request_id(),
            person=people_pb2.Person(organization_id=branch.id, display_name="",
                                     phone="13900000000", role=common_pb2.ROLE_EMPLOYEE)))
        check(False, "an empty name must be refused")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.INVALID_ARGUMENT, "empty name is INVALID_ARGUMENT")
        check(violation_field(error) == "person.display_name", "the BadRequest detail names the field")

    try:
        driver.call(driver.people.ListPeople, people_pb2.ListPeopleRequest(organization_id=branch.id))
        check(False, "a member must not list people")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.PERMISSION_DENIED, "a member listing people is PERMISSION_DENIED")

    print("foundation scenario passed")


if __name__ == "__main__":
    main()
