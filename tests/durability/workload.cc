#include "tests/durability/workload.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "services/common/clock.h"

namespace branchline::durability {

namespace {

constexpr char kStudyBody[] = "学习内容";
constexpr int64_t kMinuteMicros = 60'000'000;
// A person may record at most 24 hours of study per local day; each study call records one
// minute, so a client moves to a new person well before that.
constexpr int kStudyCallsPerPerson = 1000;

int64_t Now() { return SystemClock().NowMicros(); }

// A request id unique across runs, clients and people.
std::string NewRequestId(int client, size_t person, uint64_t counter, std::mt19937_64& rng) {
  static const uint64_t run = std::random_device()();
  return "r" + std::to_string(run % 1'000'000) + "-c" + std::to_string(client) + "-p" +
         std::to_string(person) + "-" + std::to_string(counter) + "-" +
         std::to_string(rng() % 1'000'000);
}

template <typename Page, typename Request, typename Fetch>
grpc::Status ForEachPage(Request request, Fetch fetch, const std::function<void(Page&)>& visit) {
  request.set_page_size(1000);
  do {
    Page page;
    auto status = fetch(request, &page);
    if (!status.ok()) return status;
    visit(page);
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return grpc::Status::OK;
}

}  // namespace

Outcome Classify(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::OK:
      return Outcome::kAcknowledged;
    case grpc::UNAVAILABLE:
    case grpc::DEADLINE_EXCEEDED:
    case grpc::CANCELLED:
    case grpc::UNKNOWN:  // a connection cut mid-call can surface as UNKNOWN or INTERNAL
    case grpc::INTERNAL:
      return Outcome::kUnknown;
    default:
      return Outcome::kRefused;
  }
}

Stubs::Stubs(const std::string& address, const std::string& tls_ca) {
  grpc::ChannelArguments args;
  // Reconnect quickly after the server comes back (the default backoff starts at 1 s).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = tls_ca;
  channel = grpc::CreateCustomChannel(
      address, tls_ca.empty() ? grpc::InsecureChannelCredentials() : grpc::SslCredentials(tls),
      args);
  auth = v1::AuthService::NewStub(channel);
  orgs = v1::OrganizationService::NewStub(channel);
  people = v1::PersonService::NewStub(channel);
  attendance = v1::AttendanceService::NewStub(channel);
  study = v1::StudyService::NewStub(channel);
  feedback = v1::FeedbackService::NewStub(channel);
}

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token, int deadline_ms) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(deadline_ms));
  return ctx;
}

// ---------------------------------------------------------------------------------------
// Admin

void Admin::Connect(const std::string& address) { stubs_ = std::make_unique<Stubs>(address); }

void Admin::SignIn() {
  v1::SignInRequest request;
  request.set_login("admin");
  request.set_password(password_);
  for (int attempt = 0; attempt < 200; ++attempt) {
    v1::SignInResponse response;
    auto status = stubs_->auth->SignIn(Ctx("", 5000).get(), request, &response);
    if (status.ok()) {
      token_ = response.access_token();
      if (!branch_) branch_ = response.person().organization_id();  // root until CreateWorld
      return;
    }
    if (Classify(status) != Outcome::kUnknown) {
      ADD_FAILURE() << "admin sign-in: " << status.error_message();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "admin sign-in never answered";
}

template <typename F>
void Admin::Retry(const char* what, F call) {
  if (token_.empty()) SignIn();
  for (int attempt = 0; attempt < 200; ++attempt) {
    grpc::Status status = call();
    if (status.ok()) return;
    if (status.error_code() == grpc::UNAUTHENTICATED) {
      SignIn();
    } else if (Classify(status) != Outcome::kUnknown) {
      ADD_FAILURE() << what << ": " << status.error_code() << " " << status.error_message();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << what << " never answered";
}

void Admin::CreateWorld() {
  SignIn();
  uint64_t root = branch_;
  v1::CreateOrganizationRequest org;
  org.set_request_id("world-branch");
  org.mutable_organization()->set_parent_id(root);
  org.mutable_organization()->set_name("运输公司党支部");
  org.mutable_organization()->set_kind(v1::ORGANIZATION_KIND_BRANCH);
  v1::Organization branch;
  Retry("CreateOrganization",
        [&] { return stubs_->orgs->CreateOrganization(Ctx(token_, 5000).get(), org, &branch); });
  branch_ = branch.id();
  v1::CreateMaterialRequest material;
  material.set_request_id("world-material");
  material.mutable_material()->set_organization_id(branch_);
  material.mutable_material()->set_kind(v1::MATERIAL_KIND_DOCUMENT);
  material.mutable_material()->set_title("安全生产规程");
  material.mutable_material()->set_body(kStudyBody);
  material.mutable_material()->set_estimated_minutes(60);
  v1::Material out;
  Retry("CreateMaterial",
        [&] { return stubs_->study->CreateMaterial(Ctx(token_, 5000).get(), material, &out); });
  material_ = out.id();
}

uint64_t Admin::CreatePerson(const std::string& login, const std::string& password) {
  v1::CreatePersonRequest request;
  request.set_request_id("person-" + login);
  request.mutable_person()->set_organization_id(branch_);
  request.mutable_person()->set_display_name("司机 " + login);
  request.mutable_person()->set_employee_number(login);
  request.mutable_person()->set_role(v1::ROLE_FULL_MEMBER);
  request.set_initial_password(password);
  v1::Person person;
  Retry("CreatePerson",
        [&] { return stubs_->people->CreatePerson(Ctx(token_, 5000).get(), request, &person); });
  return person.id();
}

uint64_t Admin::CreateMeeting(const std::string& title) {
  v1::CreateMeetingRequest request;
  // Request ids are printable ASCII; the title may be Chinese.
  static const uint64_t run = std::random_device()();
  request.set_request_id("meeting-" + std::to_string(run) + "-" + std::to_string(++counter_));
  auto* m = request.mutable_meeting();
  m->set_organization_id(branch_);
  m->set_type(v1::MEETING_TYPE_SAFETY_MEETING);
  m->set_title(title);
  int64_t start = Now();
  *m->mutable_start_time() = ToTimestamp(start);
  *m->mutable_end_time() = ToTimestamp(start + 60 * kMinuteMicros);
  m->mutable_window()->set_opens_minutes_before(60);
  m->mutable_window()->set_late_after_minutes(1440);
  m->mutable_window()->set_closes_minutes_after(1440);
  m->set_remote_allowed(true);
  v1::Meeting meeting;
  Retry("CreateMeeting", [&] {
    return stubs_->attendance->CreateMeeting(Ctx(token_, 5000).get(), request, &meeting);
  });
  return meeting.id();
}

std::map<uint64_t, std::string> Admin::CheckInTexts(uint64_t meeting) {
  std::map<uint64_t, std::string> texts;
  Retry("GetRoster", [&] {
    texts.clear();
    v1::GetRosterRequest request;
    request.set_meeting_id(meeting);
    return ForEachPage<v1::Roster>(
        request,
        [&](const v1::GetRosterRequest& r, v1::Roster* page) {
          return stubs_->attendance->GetRoster(Ctx(token_, 5000).get(), r, page);
        },
        [&](v1::Roster& page) {
          for (const auto& entry : page.entries()) {
            if (entry.has_record()) texts[entry.person_id()] = entry.record().remote_text();
          }
        });
  });
  return texts;
}

// ---------------------------------------------------------------------------------------
// OracleClient

void OracleClient::Connect(const std::string& address, const std::string& tls_ca) {
  stubs_ = std::make_unique<Stubs>(address, tls_ca);
  token_.clear();
}

void OracleClient::AddPerson(Admin& admin) {
  PersonLog person;
  person.login = "c" + std::to_string(index_) + "-" + std::to_string(people_.size());
  person.password = "password-" + person.login;
  person.person_id = admin.CreatePerson(person.login, person.password);
  people_.push_back(std::move(person));
  token_.clear();
  material_ = admin.material();
}

bool OracleClient::NeedsNewPerson() const {
  return people_.empty() || people_.back().study_calls >= kStudyCallsPerPerson;
}

std::set<uint64_t> OracleClient::CheckInMeetings() const {
  std::set<uint64_t> meetings;
  for (const auto& person : people_) {
    for (const auto& call : person.calls) {
      if (call.kind == Kind::kCheckIn) meetings.insert(call.meeting_id);
    }
  }
  return meetings;
}

namespace {

std::string SignInAs(Stubs& stubs, const PersonLog& person) {
  v1::SignInRequest request;
  request.set_login(person.login);
  request.set_password(person.password);
  for (int attempt = 0; attempt < 200; ++attempt) {
    v1::SignInResponse response;
    auto status = stubs.auth->SignIn(Ctx("", 5000).get(), request, &response);
    if (status.ok()) return response.access_token();
    // The sign-in throttle checks one password per client address at a time, and these
    // clients all sign in from loopback: an app waits and tries again, as RetryInfo asks.
    const bool busy = status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
    if (!busy && Classify(status) != Outcome::kUnknown) {
      ADD_FAILURE() << person.login << " sign-in: " << status.error_message();
      return "";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << person.login << " sign-in never answered";
  return "";
}

}  // namespace

const std::string& OracleClient::Token() {
  if (token_.empty()) token_ = SignInAs(*stubs_, people_.back());
  return token_;
}

Call OracleClient::MakeCall(Kind kind, uint64_t meeting) {
  Call call;
  call.kind = kind;
  call.meeting_id = meeting;
  call.request_id = NewRequestId(index_, people_.size() - 1, ++counter_, rng_);
  call.device_micros = Now();
  return call;
}

Kind OracleClient::PickKind(const std::vector<uint64_t>& meetings, uint64_t* meeting) {
  std::set<uint64_t> done;
  for (const auto& call : people_.back().calls) {
    if (call.kind == Kind::kCheckIn) done.insert(call.meeting_id);
  }
  for (uint64_t m : meetings) {
    if (!done.count(m) && rng_() % 3 == 0) {
      *meeting = m;
      return Kind::kCheckIn;
    }
  }
  return rng_() % 2 ? Kind::kStudy : Kind::kLetter;
}

grpc::Status OracleClient::Send(Call& call, int deadline_ms) {
  grpc::Status status = SendOnce(call, deadline_ms);
  if (status.error_code() == grpc::UNAUTHENTICATED) {
    // Access tokens last 15 minutes; long runs sign in again and send the same call.
    token_.clear();
    status = SendOnce(call, deadline_ms);
  }
  return status;
}

grpc::Status OracleClient::SendOnce(Call& call, int deadline_ms) {
  grpc::Status status;
  const std::string& token = Token();
  switch (call.kind) {
    case Kind::kCheckIn: {
      v1::CheckInRequest r;
      r.set_request_id(call.request_id);
      r.set_meeting_id(call.meeting_id);
      *r.mutable_device_time() = ToTimestamp(call.device_micros);
      r.mutable_remote()->set_reason(v1::REMOTE_REASON_OTHER);
      r.mutable_remote()->set_text(call.request_id);
      v1::CheckInResponse out;
      status = stubs_->attendance->CheckIn(Ctx(token, deadline_ms).get(), r, &out);
      if (status.ok() && out.record().remote_text() != call.request_id) {
        ++stats_.duplicates;
        ADD_FAILURE() << call.request_id << ": check-in answered with another check-in's record "
                      << out.record().remote_text();
      }
      break;
    }
    case Kind::kStudy: {
      v1::RecordStudyRequest r;
      r.set_request_id(call.request_id);
      r.set_material_id(material_);
      r.set_minutes(1);
      r.set_notes(call.request_id);
      *r.mutable_device_time() = ToTimestamp(call.device_micros - kMinuteMicros);
      v1::StudyRecord out;
      status = stubs_->study->RecordStudy(Ctx(token, deadline_ms).get(), r, &out);
      if (status.ok()) call.record_id = out.id();
      break;
    }
    case Kind::kLetter: {
      v1::SubmitLetterRequest r;
      r.set_request_id(call.request_id);
      r.set_category(v1::LETTER_CATEGORY_SUGGESTION);
      r.set_subject(call.request_id);
      r.set_body("建议调整夜班交接时间。");
      v1::SubmitLetterResponse out;
      status = stubs_->feedback->SubmitLetter(Ctx(token, deadline_ms).get(), r, &out);
      if (status.ok()) call.record_id = out.letter().id();
      break;
    }
  }
  call.code = status.error_code();
  call.message = status.error_message();
  return status;
}

void OracleClient::Run(const std::vector<uint64_t>& meetings, const std::atomic<bool>& stop,
                       int max_calls, int deadline_ms) {
  if (token_.empty()) return;  // SignIn() failed (and said so)
  for (int n = 0; n < max_calls && !stop; ++n) {
    uint64_t meeting = 0;
    Kind kind = PickKind(meetings, &meeting);  // sets `meeting` for a check-in
    Call call = MakeCall(kind, meeting);
    if (call.kind == Kind::kStudy) ++people_.back().study_calls;
    call.outcome = Classify(Send(call, deadline_ms));
    people_.back().calls.push_back(call);
    switch (call.outcome) {
      case Outcome::kAcknowledged:
        ++stats_.acknowledged;
        break;
      case Outcome::kRefused:
        ++stats_.refused;
        ADD_FAILURE() << call.request_id << " refused: " << call.code << " " << call.message;
        break;
      case Outcome::kUnknown:
        ++stats_.unknown;
        return;  // the server died or the connection broke: this round is over
    }
  }
}

void OracleClient::WriteWithRetries(const std::vector<uint64_t>& meetings, int deadline_ms,
                                    int max_tries) {
  if (Token().empty()) return;
  uint64_t meeting = 0;
  Kind kind = PickKind(meetings, &meeting);  // sets `meeting` for a check-in
  Call call = MakeCall(kind, meeting);
  if (call.kind == Kind::kStudy) ++people_.back().study_calls;
  for (int attempt = 0; attempt < max_tries; ++attempt) {
    call.outcome = Classify(Send(call, deadline_ms));
    if (call.outcome != Outcome::kUnknown) break;
    ++stats_.unknown;  // an answer lost on the way: retry with the same request_id
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // while the channel reconnects
  }
  if (call.outcome == Outcome::kAcknowledged) ++stats_.acknowledged;
  if (call.outcome == Outcome::kRefused) {
    ++stats_.refused;
    ADD_FAILURE() << call.request_id << " refused: " << call.code << " " << call.message;
  }
  people_.back().calls.push_back(call);
}

std::vector<std::string> OracleClient::Verify(
    const std::map<uint64_t, std::map<uint64_t, std::string>>& check_in_texts, bool current_only) {
  std::vector<std::string> violations;
  auto violation = [&](uint64_t* counter, const std::string& what) {
    ++*counter;
    violations.push_back("client " + std::to_string(index_) + ": " + what);
  };
  found_unknown_.clear();
  for (size_t p = current_only ? people_.size() - 1 : 0; p < people_.size(); ++p) {
    PersonLog& person = people_[p];
    std::string token = p + 1 == people_.size() ? Token() : SignInAs(*stubs_, person);
    // What the server holds: request_id -> record ids (several would be duplicates).
    std::map<std::string, std::vector<uint64_t>> study, letters;
    grpc::Status status = ForEachPage<v1::ListStudyRecordsResponse>(
        v1::ListStudyRecordsRequest(),
        [&](const v1::ListStudyRecordsRequest& r, v1::ListStudyRecordsResponse* page) {
          return stubs_->study->ListStudyRecords(Ctx(token, 10000).get(), r, page);
        },
        [&](v1::ListStudyRecordsResponse& page) {
          for (const auto& record : page.records()) study[record.notes()].push_back(record.id());
        });
    if (status.ok()) {
      status = ForEachPage<v1::ListLettersResponse>(
          v1::ListMyLettersRequest(),
          [&](const v1::ListMyLettersRequest& r, v1::ListLettersResponse* page) {
            return stubs_->feedback->ListMyLetters(Ctx(token, 10000).get(), r, page);
          },
          [&](v1::ListLettersResponse& page) {
            for (const auto& letter : page.letters()) {
              letters[letter.subject()].push_back(letter.id());
            }
          });
    }
    if (!status.ok()) {
      violations.push_back("client " + std::to_string(index_) +
                           ": cannot read back: " + status.error_message());
      continue;
    }
    std::set<std::string> sent;
    for (const Call& call : person.calls) {
      sent.insert(call.request_id);
      std::vector<uint64_t> found;
      if (call.kind == Kind::kStudy) found = study[call.request_id];
      if (call.kind == Kind::kLetter) found = letters[call.request_id];
      if (call.kind == Kind::kCheckIn) {
        auto meeting = check_in_texts.find(call.meeting_id);
        if (meeting == check_in_texts.end()) continue;  // not checked this time
        auto entry = meeting->second.find(person.person_id);
        if (entry != meeting->second.end() && entry->second == call.request_id) found = {0};
      }
      const std::string what = call.request_id;
      switch (call.outcome) {
        case Outcome::kAcknowledged:
          if (found.empty()) violation(&stats_.lost, "acknowledged write lost: " + what);
          if (found.size() > 1) violation(&stats_.duplicates, "written twice: " + what);
          if (found.size() == 1 && call.kind != Kind::kCheckIn && found[0] != call.record_id) {
            violation(&stats_.duplicates, "answered id differs from the stored one: " + what);
          }
          break;
        case Outcome::kRefused:
          if (!found.empty()) violation(&stats_.phantoms, "refused write present: " + what);
          break;
        case Outcome::kUnknown:
          if (found.size() > 1) violation(&stats_.duplicates, "written twice: " + what);
          if (found.size() == 1) found_unknown_[call.request_id] = found[0];
          break;
      }
    }
    // Records no client sent.
    for (auto* held : {&study, &letters}) {
      for (const auto& [request_id, ids] : *held) {
        if (!sent.count(request_id)) violation(&stats_.phantoms, "never sent: " + request_id);
      }
    }
    for (const auto& [meeting, texts] : check_in_texts) {
      auto entry = texts.find(person.person_id);
      if (entry == texts.end()) continue;
      bool matches = false;
      for (const Call& call : person.calls) {
        matches |= call.kind == Kind::kCheckIn && call.meeting_id == meeting &&
                   call.request_id == entry->second;
      }
      if (!matches) violation(&stats_.phantoms, "check-in never sent: " + entry->second);
    }
  }
  return violations;
}

std::vector<std::string> OracleClient::ResolveUnknowns(int deadline_ms) {
  std::vector<std::string> violations;
  for (size_t p = 0; p < people_.size(); ++p) {
    for (Call& call : people_[p].calls) {
      if (call.outcome != Outcome::kUnknown) continue;
      if (p + 1 != people_.size()) {
        violations.push_back(call.request_id + ": unknown outcome of a retired person");
        continue;
      }
      auto found = found_unknown_.find(call.request_id);
      bool was_present = found != found_unknown_.end();
      for (int attempt = 0; attempt < 100 && call.outcome == Outcome::kUnknown; ++attempt) {
        call.outcome = Classify(Send(call, deadline_ms));
        if (call.outcome == Outcome::kUnknown) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
      if (call.outcome == Outcome::kRefused) {
        ++stats_.refused;
        violations.push_back(call.request_id + ": retry refused with " + std::to_string(call.code));
        continue;
      }
      if (call.outcome == Outcome::kUnknown) {
        violations.push_back(call.request_id + ": retry never answered");
        continue;
      }
      ++(was_present ? stats_.resolved_present : stats_.resolved_absent);
      if (was_present && call.kind != Kind::kCheckIn && call.record_id != found->second) {
        ++stats_.duplicates;
        violations.push_back(call.request_id + ": retry made a second record");
      }
    }
  }
  found_unknown_.clear();
  return violations;
}

}  // namespace branchline::durability
