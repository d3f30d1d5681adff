#include "bench/load/fleet.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "nlohmann/json.hpp"

namespace branchline::bench {

namespace {

constexpr char kPassword[] = "bench-password-1";

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string RequestId(const std::string& what, int64_t i) {
  static const std::string run = std::to_string(NowSeconds());
  return "bench-prepare-" + run + "-" + what + "-" + std::to_string(i);
}

absl::Status Failed(const std::string& what, const grpc::Status& s) {
  return absl::InternalError(what + ": " + std::to_string(s.error_code()) + " " +
                             s.error_message());
}

}  // namespace

void Authorize(grpc::ClientContext& ctx, const std::string& token) {
  if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
}

absl::Status Fleet::Save(const std::string& path) const {
  nlohmann::json j = {{"admin_token", admin_token},  {"branch_id", branch_id},
                      {"material_id", material_id},  {"meeting_ids", meeting_ids},
                      {"person_ids", person_ids},    {"tokens", tokens},
                      {"next_meeting", next_meeting}};
  std::ofstream out(path);
  out << j.dump();
  return out ? absl::OkStatus() : absl::InternalError("cannot write " + path);
}

absl::StatusOr<Fleet> Fleet::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("cannot read " + path);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return absl::DataLossError(path + " is not JSON");
  Fleet f;
  f.admin_token = j["admin_token"];
  f.branch_id = j["branch_id"];
  f.material_id = j["material_id"];
  f.meeting_ids = j["meeting_ids"].get<std::vector<uint64_t>>();
  f.person_ids = j["person_ids"].get<std::vector<uint64_t>>();
  f.tokens = j["tokens"].get<std::vector<std::string>>();
  f.next_meeting = j.value("next_meeting", 0);
  return f;
}

absl::StatusOr<Fleet> PrepareFleet(std::shared_ptr<grpc::Channel> channel,
                                   const FleetShape& shape) {
  auto auth = v1::AuthService::NewStub(channel);
  auto orgs = v1::OrganizationService::NewStub(channel);
  auto people = v1::PersonService::NewStub(channel);
  auto attendance = v1::AttendanceService::NewStub(channel);
  auto study = v1::StudyService::NewStub(channel);
  Fleet fleet;

  v1::SignInRequest sign_in;
  sign_in.set_login("admin");
  sign_in.set_password(shape.admin_password);
  v1::SignInResponse signed_in;
  {
    grpc::ClientContext ctx;
    auto s = auth->SignIn(&ctx, sign_in, &signed_in);
    if (!s.ok()) return Failed("admin sign-in", s);
  }
  fleet.admin_token = signed_in.access_token();
  const uint64_t root = signed_in.person().organization_id();

  auto create_org = [&](uint64_t parent, const std::string& name, v1::OrganizationKind kind,
                        int i) -> absl::StatusOr<uint64_t> {
    v1::CreateOrganizationRequest r;
    r.set_request_id(RequestId("org", i));
    r.mutable_organization()->set_parent_id(parent);
    r.mutable_organization()->set_name(name);
    r.mutable_organization()->set_kind(kind);
    v1::Organization out;
    grpc::ClientContext ctx;
    Authorize(ctx, fleet.admin_token);
    auto s = orgs->CreateOrganization(&ctx, r, &out);
    if (!s.ok()) return Failed("create organization", s);
    return out.id();
  };
  auto branch = create_org(root, "压测党支部", v1::ORGANIZATION_KIND_BRANCH, 0);
  if (!branch.ok()) return branch.status();
  fleet.branch_id = *branch;
  std::vector<uint64_t> groups;
  for (int g = 0; g < shape.groups; ++g) {
    auto group = create_org(fleet.branch_id, "小组" + std::to_string(g + 1),
                            v1::ORGANIZATION_KIND_GROUP, g + 1);
    if (!group.ok()) return group.status();
    groups.push_back(*group);
  }

  // People, 1000 per ImportPeople call (the API's limit). Their logins (employee numbers)
  // name the branch, so a data directory can take another fleet.
  const std::string login_prefix = "bench-" + std::to_string(fleet.branch_id) + "-";
  for (int start = 0; start < shape.people; start += 1000) {
    v1::ImportPeopleRequest r;
    r.set_request_id(RequestId("import", start));
    for (int i = start; i < std::min(shape.people, start + 1000); ++i) {
      auto* row = r.add_rows();
      row->mutable_person()->set_organization_id(groups[i % groups.size()]);
      row->mutable_person()->set_display_name("党员" + std::to_string(i));
      row->mutable_person()->set_employee_number(login_prefix + std::to_string(i));
      row->mutable_person()->set_role(v1::ROLE_FULL_MEMBER);
      row->set_initial_password(kPassword);
    }
    v1::ImportPeopleResponse out;
    grpc::ClientContext ctx;
    Authorize(ctx, fleet.admin_token);
    auto s = people->ImportPeople(&ctx, r, &out);
    if (!s.ok()) return Failed("import people", s);
    if (out.failed_count() != 0) {
      return absl::InternalError("import people: " + std::to_string(out.failed_count()) +
                                 " rows failed: " + out.results(0).status().message());
    }
    for (const auto& result : out.results()) fleet.person_ids.push_back(result.person_id());
  }

  // Sign everyone in, from one thread: the server checks one password at a time per client
  // address and refuses a second at once (SignInThrottle's in-flight bound).
  fleet.tokens.resize(shape.people);
  std::atomic<int> next{0}, failures{0};
  std::vector<std::thread> signers;
  for (int t = 0; t < 1; ++t) {
    signers.emplace_back([&] {
      for (int i = next++; i < shape.people; i = next++) {
        v1::SignInRequest r;
        r.set_login(login_prefix + std::to_string(i));
        r.set_password(kPassword);
        v1::SignInResponse out;
        grpc::ClientContext ctx;
        if (auth->SignIn(&ctx, r, &out).ok()) {
          fleet.tokens[i] = out.access_token();
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& t : signers) t.join();
  if (failures) return absl::InternalError(std::to_string(failures) + " sign-ins failed");

  const int64_t start = NowSeconds() + 3600;
  for (int i = 0; i < shape.meetings; ++i) {
    v1::CreateMeetingRequest r;
    r.set_request_id(RequestId("meeting", i));
    auto* m = r.mutable_meeting();
    m->set_organization_id(fleet.branch_id);
    m->set_type(v1::MEETING_TYPE_SAFETY_MEETING);
    m->set_title("安全例会 " + std::to_string(i + 1));
    m->mutable_start_time()->set_seconds(start + i * 60);
    m->mutable_end_time()->set_seconds(start + i * 60 + 3600);
    m->mutable_window()->set_opens_minutes_before(120);
    m->mutable_window()->set_late_after_minutes(10);
    m->mutable_window()->set_closes_minutes_after(60);
    m->set_remote_allowed(true);
    v1::Meeting out;
    grpc::ClientContext ctx;
    Authorize(ctx, fleet.admin_token);
    auto s = attendance->CreateMeeting(&ctx, r, &out);
    if (!s.ok()) return Failed("create meeting", s);
    fleet.meeting_ids.push_back(out.id());
  }

  v1::CreateMaterialRequest material;
  material.set_request_id(RequestId("material", 0));
  material.mutable_material()->set_organization_id(fleet.branch_id);
  material.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
  material.mutable_material()->set_title("学习材料");
  material.mutable_material()->set_body("第一章 总纲");
  material.mutable_material()->set_estimated_minutes(30);
  v1::Material made;
  grpc::ClientContext ctx;
  Authorize(ctx, fleet.admin_token);
  auto s = study->CreateMaterial(&ctx, material, &made);
  if (!s.ok()) return Failed("create material", s);
  fleet.material_id = made.id();
  return fleet;
}

}  // namespace branchline::bench
