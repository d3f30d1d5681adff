// evaluation create | list | show | close | self | rate | mark | results | export: evaluation
// rounds (EvaluationService); commitments record | report | list; board commend | show. `rate` on
// an anonymous round takes the round's ballot once (blinded, clients/common/blind_ballot.h), keeps
// it in a file, and rates with it without the login token, so the server cannot tell whose rating
// it is.
#include <fstream>
#include <iostream>
#include <sstream>

#include "branchline/v1/evaluation.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/exit_codes.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"
#include "clients/common/blind_ballot.h"

namespace branchline::ctl {
namespace {

struct CreateOptions {
  uint64_t org = 0;
  std::string title, period, template_name, opens, closes, request_id;
  bool anonymous = false;
  int min_raters = 0;
};

struct SubmitOptions {
  uint64_t round = 0, subject = 0;
  std::vector<std::string> scores;
  std::string ballot_file, request_id;
};

struct ListOptions {
  uint64_t org = 0;
  bool mine = false;
};

struct ResultsOptions {
  uint64_t round = 0, subject = 0;
  std::string out = "evaluation.csv";
};

std::unique_ptr<v1::EvaluationService::Stub> Stub(Session& session) {
  return v1::EvaluationService::NewStub(session.channel());
}

// "比学习=8" pairs; CtlError(kExitUsage) naming --score otherwise.
google::protobuf::RepeatedPtrField<v1::CriterionScore> ScoreArguments(
    const std::vector<std::string>& texts) {
  google::protobuf::RepeatedPtrField<v1::CriterionScore> out;
  for (const auto& text : texts) {
    const auto eq = text.rfind('=');
    int value = 0;
    size_t used = 0;
    try {
      if (eq != std::string::npos) value = std::stoi(text.substr(eq + 1), &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (eq == std::string::npos || eq == 0 || used == 0 || eq + 1 + used != text.size()) {
      throw CtlError(kExitUsage, "--score: expected CRITERION=SCORE, got \"" + text + "\"");
    }
    auto* s = out.Add();
    s->set_criterion(text.substr(0, eq));
    s->set_score(value);
  }
  return out;
}

void PrintRound(Session& session, const v1::EvaluationRound& r) {
  if (session.options().json) return PrintJson(ToJson(r));
  const int32_t offset = session.utc_offset_minutes();
  std::string criteria, phases;
  for (const auto& c : r.criteria()) {
    criteria += (criteria.empty() ? "" : ", ") + c.name() + " ×" + std::to_string(c.weight()) +
                " (" + std::to_string(c.scale_min()) + "-" + std::to_string(c.scale_max()) + ")";
  }
  for (int p : r.phases()) {
    phases += (phases.empty() ? "" : " → ") + EnumText(v1::EvaluationPhase_descriptor(), p);
  }
  PrintFields(std::cout,
              {{"id", std::to_string(r.id())},
               {"organisation", Names(session).Org(r.organization_id())},
               {"title", r.title()},
               {"period", r.period_label()},
               {"subjects", std::to_string(r.subject_ids_size())},
               {"criteria", criteria},
               {"phases", phases},
               {"raters", EnumText(v1::EvaluationRaterKind_descriptor(), r.rater_kind())},
               {"anonymous", r.anonymous() ? "yes" : "no"},
               {"opens", FormatLocal(r.open_time(), offset)},
               {"closes", FormatLocal(r.close_time(), offset)},
               {"min raters", std::to_string(r.min_raters())}});
}

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Unhex(const std::string& text) {
  std::string out;
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// The ballot file: the blinded ballot before the server signs it (so a retry sends the same
// blinded token), then the finished one. Private to the rater: mode 0600 via umask-free open.
struct BallotFile {
  clients::BlindBallot blind;
  std::optional<clients::FinishedBallot> finished;
};

std::optional<BallotFile> ReadBallot(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw CtlError(kExitOther, path + ": not a ballot file");
  BallotFile b;
  b.blind.token = Unhex(j.value("token", ""));
  b.blind.blinded = Unhex(j.value("blinded", ""));
  b.blind.unblinder = Unhex(j.value("unblinder", ""));
  b.blind.public_key = Unhex(j.value("public_key", ""));
  if (j.contains("signature")) {
    b.finished = clients::FinishedBallot{b.blind.token, Unhex(j.value("signature", ""))};
  }
  return b;
}

void WriteBallot(const std::string& path, const BallotFile& b) {
  nlohmann::json j = {{"token", Hex(b.blind.token)},
                      {"blinded", Hex(b.blind.blinded)},
                      {"unblinder", Hex(b.blind.unblinder)},
                      {"public_key", Hex(b.blind.public_key)}};
  if (b.finished) j["signature"] = Hex(b.finished->signature);
  WriteOutputFile(path, j.dump(), "", /*private_file=*/true);
}

// The round's ballot from `path`, taken (IssueBallot) when the file has none yet.
clients::FinishedBallot Ballot(Session& session, const v1::EvaluationRound& round,
                               const std::string& path) {
  auto file = ReadBallot(path);
  if (file && file->finished) return *file->finished;
  if (!file) {
    auto blind = clients::Blind(round.ballot_public_key());
    if (!blind) throw CtlError(kExitOther, "the round's ballot key does not parse");
    file = BallotFile{*blind, std::nullopt};
    WriteBallot(path, *file);
  }
  v1::IssueBallotRequest r;
  r.set_round_id(round.id());
  r.set_blinded_token(file->blind.blinded);
  auto stub = Stub(session);
  auto issued = session.Call<v1::IssueBallotResponse>(
      [&](auto* c, auto* out) { return stub->IssueBallot(c, r, out); });
  file->finished = clients::Finish(file->blind, issued.blind_signature());
  if (!file->finished) throw CtlError(kExitOther, "the server's ballot signature does not verify");
  WriteBallot(path, *file);
  return *file->finished;
}

v1::EvaluationRound GetRound(Session& session, uint64_t id) {
  v1::GetRoundRequest r;
  r.set_id(id);
  auto stub = Stub(session);
  return session.Call<v1::EvaluationRound>(
      [&](auto* c, auto* out) { return stub->GetRound(c, r, out); });
}

void PrintReceipt(Session& session, const v1::SubmissionReceipt& receipt) {
  if (session.options().json) return PrintJson(ToJson(receipt));
  std::cout << (receipt.replaced() ? "Replaced" : "Recorded") << " "
            << EnumText(v1::EvaluationPhase_descriptor(), receipt.phase()) << " for "
            << receipt.subject_id() << " in round " << receipt.round_id() << "\n";
}

void Rate(Session& session, const SubmitOptions& o) {
  // Usage errors first: a bad --score must not take the round's one ballot.
  const auto scores = ScoreArguments(o.scores);
  auto round = GetRound(session, o.round);
  auto stub = Stub(session);
  if (!round.anonymous()) {
    v1::SubmitRatingRequest r;
    r.set_request_id(OrNew(o.request_id));
    r.set_round_id(o.round);
    r.set_subject_id(o.subject);
    *r.mutable_scores() = scores;
    return PrintReceipt(session, session.Call<v1::SubmissionReceipt>([&](auto* c, auto* out) {
      return stub->SubmitRating(c, r, out);
    }));
  }
  const std::string path =
      o.ballot_file.empty() ? "ballot-" + std::to_string(o.round) + ".json" : o.ballot_file;
  const auto ballot = Ballot(session, round, path);
  v1::SubmitBallotRatingRequest r;
  r.set_round_id(o.round);
  r.set_subject_id(o.subject);
  *r.mutable_scores() = scores;
  r.mutable_ballot()->set_token(ballot.token);
  r.mutable_ballot()->set_signature(ballot.signature);
  // Without the login token: the ballot is the credential.
  PrintReceipt(session, session.CallAs<v1::SubmissionReceipt>("", [&](auto* c, auto* out) {
    return stub->SubmitBallotRating(c, r, out);
  }));
}

std::string Points(double v) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(2);
  out << v;
  return out.str();
}

void Results(Session& session, const ResultsOptions& o) {
  v1::GetRoundResultsRequest r;
  r.set_round_id(o.round);
  r.set_subject_id(o.subject);
  r.set_page_size(1000);
  auto stub = Stub(session);
  std::vector<v1::SubjectResult> subjects;
  v1::RoundResults page;
  do {
    page = session.Call<v1::RoundResults>(
        [&](auto* c, auto* out) { return stub->GetRoundResults(c, r, out); });
    subjects.insert(subjects.end(), page.subjects().begin(), page.subjects().end());
    r.set_page_token(page.next_page_token());
  } while (!r.page_token().empty());
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : subjects) list.push_back(ToJson(s));
    return PrintJson({{"participation_percent", page.participation_percent()},
                      {"participating_raters", page.participating_raters()},
                      {"eligible_raters", page.eligible_raters()},
                      {"closed", page.closed()},
                      {"subjects", list}});
  }
  std::cout << "Participation: " << page.participating_raters() << "/" << page.eligible_raters()
            << " (" << page.participation_percent() << "%)" << (page.closed() ? ", closed" : "")
            << "\n";
  Table table({"SUBJECT", "NAME", "RATERS", "RATERS' SCORE", "SELF", "MARK", "FINAL", "GRADE"});
  for (const auto& s : subjects) {
    table.AddRow({std::to_string(s.subject_id()), s.subject_name(), std::to_string(s.raters()),
                  s.too_few_ratings() ? "too few ratings" : Points(s.rater_score()),
                  s.has_self_score() ? Points(s.self_score()) : "-",
                  s.has_overall_mark() ? Points(s.overall_mark()) : "-",
                  s.final_grade().empty() ? "-" : Points(s.final_score()),
                  s.final_grade().empty() ? "-" : s.final_grade()});
  }
  table.Print(std::cout);
}

void Export(Session& session, const ResultsOptions& o) {
  v1::ExportRoundResultsRequest request;
  request.set_round_id(o.round);
  auto stub = Stub(session);
  auto context = session.NewContext(session.AccessToken());
  auto reader = stub->ExportRoundResults(context.get(), request);
  std::string file;
  v1::CsvChunk chunk;
  while (reader->Read(&chunk)) file += chunk.data();
  grpc::Status status = reader->Finish();
  if (!status.ok()) throw RpcError(status);
  WriteOutputFile(o.out, file, "Results");
}

void AddSubmitOptions(CLI::App* command, SubmitOptions& o, bool subject) {
  command->add_option("round", o.round, "Round id")->required();
  if (subject) command->add_option("--subject", o.subject, "Subject id")->required();
  command->add_option("--score", o.scores, "CRITERION=SCORE, once per criterion")->required();
}

struct CommitmentOptions {
  uint64_t id = 0, org = 0;
  bool mine = false;
  std::string period, text, post, request_id;
};

void PrintCommitments(Session& session, const std::vector<v1::Commitment>& list) {
  if (session.options().json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : list) out.push_back(ToJson(c));
    return PrintJson({{"commitments", out}});
  }
  Table table({"ID", "PERSON", "PERIOD", "POST", "COMMITMENT", "REPORTS"});
  Names names(session);
  for (const auto& c : list) {
    table.AddRow({std::to_string(c.id()), names.Person(c.person_id()), c.period_label(), c.post(),
                  c.text(), std::to_string(c.progress_size())});
  }
  table.Print(std::cout);
}

void AddCommitmentCommands(CLI::App& app, Session& session) {
  auto* commitments =
      app.add_subcommand("commitments", "Members' public commitments (承诺) and their progress");
  auto r = std::make_shared<CommitmentOptions>();
  auto* record = commitments->add_subcommand("record", "Record your commitment for a period");
  record->add_option("--period", r->period, "Period label (2026, 2026Q3)")->required();
  record->add_option("--text", r->text, "What you commit to")->required();
  record->add_option("--post", r->post, "The post it is tied to");
  AddRequestIdOption(record, &r->request_id);
  record->callback([&session, r] {
    v1::RecordCommitmentRequest q;
    q.set_request_id(OrNew(r->request_id));
    q.mutable_commitment()->set_period_label(r->period);
    q.mutable_commitment()->set_text(r->text);
    q.mutable_commitment()->set_post(r->post);
    auto stub = Stub(session);
    PrintCommitments(session, {session.Call<v1::Commitment>([&](auto* c, auto* out) {
                       return stub->RecordCommitment(c, q, out);
                     })});
  });
  auto p = std::make_shared<CommitmentOptions>();
  auto* report = commitments->add_subcommand("report", "Report progress on your commitment");
  report->add_option("id", p->id, "Commitment id")->required();
  report->add_option("--text", p->text, "What was done")->required();
  AddRequestIdOption(report, &p->request_id);
  report->callback([&session, p] {
    v1::ReportCommitmentProgressRequest q;
    q.set_request_id(OrNew(p->request_id));
    q.set_commitment_id(p->id);
    q.set_text(p->text);
    auto stub = Stub(session);
    PrintCommitments(session, {session.Call<v1::Commitment>([&](auto* c, auto* out) {
                       return stub->ReportCommitmentProgress(c, q, out);
                     })});
  });
  auto l = std::make_shared<CommitmentOptions>();
  auto* list = commitments->add_subcommand("list", "Commitments of a subtree, or --mine");
  list->add_option("--org", l->org, "Organisation (default: your own)");
  list->add_flag("--mine", l->mine, "Your own");
  list->add_option("--period", l->period, "Only this period");
  list->callback([&session, l] {
    v1::ListCommitmentsRequest q;
    q.set_mine(l->mine);
    if (!l->mine) q.set_organization_id(OrgOrOwn(session, l->org));
    q.set_period_label(l->period);
    q.set_page_size(1000);
    auto stub = Stub(session);
    std::vector<v1::Commitment> all;
    do {
      auto page = session.Call<v1::ListCommitmentsResponse>(
          [&](auto* c, auto* out) { return stub->ListCommitments(c, q, out); });
      all.insert(all.end(), page.commitments().begin(), page.commitments().end());
      q.set_page_token(page.next_page_token());
    } while (!q.page_token().empty());
    PrintCommitments(session, all);
  });
}

struct BoardOptions {
  uint64_t org = 0, round = 0;
  std::vector<uint64_t> people, orgs;
  std::string title, period, reason, request_id;
};

void PrintBoard(Session& session, const std::vector<v1::Commendation>& list) {
  if (session.options().json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : list) out.push_back(ToJson(c));
    return PrintJson({{"commendations", out}});
  }
  Table table({"ID", "TITLE", "PERIOD", "PEOPLE", "ORGANISATIONS", "REASON"});
  auto ids = [](const auto& list) {
    std::string out;
    for (uint64_t id : list) out += (out.empty() ? "" : " ") + std::to_string(id);
    return out;
  };
  for (const auto& c : list) {
    table.AddRow({std::to_string(c.id()), c.title(), c.period_label(), ids(c.person_ids()),
                  ids(c.honoured_organization_ids()), c.reason()});
  }
  table.Print(std::cout);
}

void AddBoardCommands(CLI::App& app, Session& session) {
  auto* board = app.add_subcommand("board", "Honours boards (优秀党员, 先进党支部, 星级职工)");
  auto c = std::make_shared<BoardOptions>();
  auto* commend = board->add_subcommand("commend", "Commend people or organisations (managers)");
  commend->add_option("--org", c->org, "Whose board (default: your own organisation)");
  commend->add_option("--title", c->title, "Title")->required();
  commend->add_option("--period", c->period, "Period label")->required();
  commend->add_option("--person", c->people, "A person honoured (repeatable)");
  commend->add_option("--honoured-org", c->orgs, "An organisation honoured (repeatable)");
  commend->add_option("--reason", c->reason, "Why");
  commend->add_option("--round", c->round, "The round whose results it follows");
  AddRequestIdOption(commend, &c->request_id);
  commend->callback([&session, c] {
    v1::CreateCommendationRequest r;
    r.set_request_id(OrNew(c->request_id));
    auto* m = r.mutable_commendation();
    m->set_organization_id(OrgOrOwn(session, c->org));
    m->set_title(c->title);
    m->set_period_label(c->period);
    for (uint64_t id : c->people) m->add_person_ids(id);
    for (uint64_t id : c->orgs) m->add_honoured_organization_ids(id);
    m->set_reason(c->reason);
    m->set_round_id(c->round);
    auto stub = Stub(session);
    PrintBoard(session, {session.Call<v1::Commendation>([&](auto* ctx, auto* out) {
                 return stub->CreateCommendation(ctx, r, out);
               })});
  });
  auto l = std::make_shared<BoardOptions>();
  auto* show = board->add_subcommand("show", "An organisation's honours board");
  show->add_option("--org", l->org, "Organisation (default: your own)");
  show->add_option("--period", l->period, "Only this period");
  show->callback([&session, l] {
    v1::ListHonoursRequest r;
    r.set_organization_id(OrgOrOwn(session, l->org));
    r.set_period_label(l->period);
    r.set_page_size(1000);
    auto stub = Stub(session);
    std::vector<v1::Commendation> all;
    do {
      auto page = session.Call<v1::ListHonoursResponse>(
          [&](auto* ctx, auto* out) { return stub->ListHonours(ctx, r, out); });
      all.insert(all.end(), page.commendations().begin(), page.commendations().end());
      r.set_page_token(page.next_page_token());
    } while (!r.page_token().empty());
    PrintBoard(session, all);
  });
}

}  // namespace

void AddEvaluationCommands(CLI::App& app, Session& session) {
  auto* evaluation = app.add_subcommand(
      "evaluation", "Evaluation rounds (民主评议, 承诺测评, 五比五看, 职工评议支部)");

  auto c = std::make_shared<CreateOptions>();
  auto* create = evaluation->add_subcommand("create", "Create a round from a template");
  create->add_option("--org", c->org, "Organisation (default: your own)");
  create->add_option("--title", c->title, "Title")->required();
  create->add_option("--period", c->period, "Period label (2026, 2026Q3, 2026H2)")->required();
  create
      ->add_option("--template", c->template_name,
                   "Defaults: " + EnumChoices(v1::EvaluationTemplate_descriptor()))
      ->required();
  create->add_option("--opens", c->opens, "Opening time (default now)");
  create->add_option("--closes", c->closes, "Closing time (default: the template's)");
  create->add_flag("--anonymous", c->anonymous, "Anonymous raters (ballots)");
  create->add_option("--min-raters", c->min_raters, "Raters before results show (default 5)");
  AddRequestIdOption(create, &c->request_id);
  create->callback([&session, c] {
    v1::CreateRoundRequest r;
    r.set_request_id(OrNew(c->request_id));
    r.set_template_kind(static_cast<v1::EvaluationTemplate>(
        ParseEnum(v1::EvaluationTemplate_descriptor(), c->template_name, "--template")));
    auto* round = r.mutable_round();
    round->set_organization_id(OrgOrOwn(session, c->org));
    round->set_title(c->title);
    round->set_period_label(c->period);
    round->set_anonymous(c->anonymous);
    round->set_min_raters(c->min_raters);
    const int32_t offset = session.utc_offset_minutes();
    if (!c->opens.empty()) *round->mutable_open_time() = TimeArgument("--opens", c->opens, offset);
    if (!c->closes.empty()) {
      *round->mutable_close_time() = TimeArgument("--closes", c->closes, offset);
    }
    auto stub = Stub(session);
    PrintRound(session, session.Call<v1::EvaluationRound>(
                            [&](auto* ctx, auto* out) { return stub->CreateRound(ctx, r, out); }));
  });

  auto l = std::make_shared<ListOptions>();
  auto* list = evaluation->add_subcommand("list", "Rounds of a subtree (managers), or --mine");
  list->add_option("--org", l->org, "Organisation (default: your own)");
  list->add_flag("--mine", l->mine, "The rounds you rate or are evaluated in");
  list->callback([&session, l] {
    v1::ListRoundsRequest r;
    r.set_mine(l->mine);
    if (!l->mine) r.set_organization_id(OrgOrOwn(session, l->org));
    r.set_page_size(1000);
    auto stub = Stub(session);
    std::vector<v1::EvaluationRound> rounds;
    do {
      auto page = session.Call<v1::ListRoundsResponse>(
          [&](auto* ctx, auto* out) { return stub->ListRounds(ctx, r, out); });
      rounds.insert(rounds.end(), page.rounds().begin(), page.rounds().end());
      r.set_page_token(page.next_page_token());
    } while (!r.page_token().empty());
    if (session.options().json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& round : rounds) out.push_back(ToJson(round));
      return PrintJson({{"rounds", out}});
    }
    Table table({"ID", "TITLE", "PERIOD", "SUBJECTS", "ANONYMOUS", "CLOSES"});
    for (const auto& round : rounds) {
      table.AddRow({std::to_string(round.id()), round.title(), round.period_label(),
                    std::to_string(round.subject_ids_size()), round.anonymous() ? "yes" : "no",
                    FormatLocal(round.close_time(), session.utc_offset_minutes())});
    }
    table.Print(std::cout);
  });

  auto show_id = std::make_shared<uint64_t>(0);
  auto* show = evaluation->add_subcommand("show", "One round");
  show->add_option("round", *show_id, "Round id")->required();
  show->callback([&session, show_id] { PrintRound(session, GetRound(session, *show_id)); });

  auto close_options = std::make_shared<SubmitOptions>();
  auto* close = evaluation->add_subcommand("close", "Close a round before its closing time");
  close->add_option("round", close_options->round, "Round id")->required();
  AddRequestIdOption(close, &close_options->request_id);
  close->callback([&session, close_options] {
    v1::CloseRoundRequest r;
    r.set_request_id(OrNew(close_options->request_id));
    r.set_id(close_options->round);
    auto stub = Stub(session);
    PrintRound(session, session.Call<v1::EvaluationRound>(
                            [&](auto* ctx, auto* out) { return stub->CloseRound(ctx, r, out); }));
  });

  auto s = std::make_shared<SubmitOptions>();
  auto* self = evaluation->add_subcommand("self", "Score yourself");
  AddSubmitOptions(self, *s, /*subject=*/false);
  AddRequestIdOption(self, &s->request_id);
  self->callback([&session, s] {
    v1::SubmitSelfScoreRequest r;
    r.set_request_id(OrNew(s->request_id));
    r.set_round_id(s->round);
    *r.mutable_scores() = ScoreArguments(s->scores);
    auto stub = Stub(session);
    PrintReceipt(session, session.Call<v1::SubmissionReceipt>([&](auto* ctx, auto* out) {
      return stub->SubmitSelfScore(ctx, r, out);
    }));
  });

  auto rt = std::make_shared<SubmitOptions>();
  auto* rate = evaluation->add_subcommand(
      "rate", "Rate a subject (anonymous rounds: with your ballot, without your login)");
  AddSubmitOptions(rate, *rt, /*subject=*/true);
  rate->add_option("--ballot", rt->ballot_file,
                   "Anonymous rounds: your ballot file (default ballot-ROUND.json; keep it)");
  AddRequestIdOption(rate, &rt->request_id);
  rate->callback([&session, rt] { Rate(session, *rt); });

  auto m = std::make_shared<SubmitOptions>();
  auto* mark = evaluation->add_subcommand("mark", "Give a subject the overall mark (managers)");
  AddSubmitOptions(mark, *m, /*subject=*/true);
  AddRequestIdOption(mark, &m->request_id);
  mark->callback([&session, m] {
    v1::SubmitOverallMarkRequest r;
    r.set_request_id(OrNew(m->request_id));
    r.set_round_id(m->round);
    r.set_subject_id(m->subject);
    *r.mutable_scores() = ScoreArguments(m->scores);
    auto stub = Stub(session);
    PrintReceipt(session, session.Call<v1::SubmissionReceipt>([&](auto* ctx, auto* out) {
      return stub->SubmitOverallMark(ctx, r, out);
    }));
  });

  auto res = std::make_shared<ResultsOptions>();
  auto* results = evaluation->add_subcommand("results", "Results per subject, participation");
  results->add_option("round", res->round, "Round id")->required();
  results->add_option("--subject", res->subject, "Only this subject (your own: after the close)");
  results->callback([&session, res] { Results(session, *res); });

  auto ex = std::make_shared<ResultsOptions>();
  auto* export_command = evaluation->add_subcommand("export", "Results as CSV (UTF-8 with BOM)");
  export_command->add_option("round", ex->round, "Round id")->required();
  export_command->add_option("--out", ex->out, "File (default evaluation.csv; - : stdout)");
  export_command->callback([&session, ex] { Export(session, *ex); });

  AddCommitmentCommands(app, session);
  AddBoardCommands(app, session);
}

}  // namespace branchline::ctl
