// inbox list | show | reply | escalate | assign | note | state | register | outcome |
// mark-misconduct: the staff mailbox as its handlers see it.
#include <ctime>
#include <iostream>

#include "branchline/v1/feedback.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"
#include "clients/branchctl/time_text.h"

namespace branchline::ctl {
namespace {

struct ListOptions {
  uint64_t org = 0;
  std::string state, category;
  bool overdue = false;
  bool this_org_only = false;
};

struct RegisterOptions {
  uint64_t org = 0, author_id = 0, about = 0;
  std::string channel, received, category, subject, body, author_name, request_id;
  bool anonymous = false;
};

struct OutcomeOptions {
  uint64_t id = 0;
  std::string outcome, reason, benefit, amount, reward, request_id;
};

// "12500", "12500.5" or "12500.50" yuan as cents; CtlError naming --amount otherwise.
int64_t CentsArgument(const std::string& text) {
  int64_t yuan = 0, cents = 0;
  size_t i = 0, digits = 0, decimals = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    yuan = yuan * 10 + (text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9' && decimals < 2;
         ++i, ++decimals) {
      cents = cents * 10 + (text[i] - '0');
    }
    if (decimals == 1) cents *= 10;
  }
  if (digits == 0 || digits > 12 || i != text.size()) {
    throw CtlError(kExitUsage,
                   "--amount: expected yuan such as 12500 or 12500.50, got \"" + text + "\"");
  }
  return yuan * 100 + cents;
}

struct ActOptions {
  uint64_t id = 0;
  std::string text, state, request_id;
  bool wait_for_author = false;
};

std::string StateText(v1::LetterState s) { return EnumText(v1::LetterState_descriptor(), s); }

// Anonymous letters have no author to show: the server never stores one.
std::string Author(const v1::Letter& l) {
  if (l.anonymous()) return "(anonymous)";
  if (!l.author_name().empty()) return l.author_name() + " (registered)";
  if (l.author_display_name().empty()) return IdText(l.author_person_id());
  return l.author_display_name() + " (" + IdText(l.author_person_id()) + ")";
}

void PrintLetter(Session& session, const v1::Letter& l) {
  if (session.options().json) return PrintJson(ToJson(l));
  int32_t offset = session.utc_offset_minutes();
  Names names(session);
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", std::to_string(l.id())},
      {"subject", l.subject()},
      {"category", EnumText(v1::LetterCategory_descriptor(), l.category())},
      {"state", StateText(l.state()) + (l.overdue() ? " (OVERDUE)" : "")},
      {"author", Author(l)},
      {"organisation", names.Org(l.organization_id())},
      {"submitted", FormatLocal(l.submit_time(), offset)},
      {"acknowledge by", FormatLocal(l.acknowledge_due_time(), offset)},
      {"resolve by", FormatLocal(l.resolve_due_time(), offset)}};
  if (l.assignee_person_id()) fields.emplace_back("assignee", names.Person(l.assignee_person_id()));
  if (!l.refusal_reason().empty()) fields.emplace_back("refused", l.refusal_reason());
  fields.emplace_back("channel", EnumText(v1::LetterChannel_descriptor(), l.channel()));
  if (l.outcome() != v1::LETTER_OUTCOME_UNSPECIFIED) {
    fields.emplace_back("outcome", EnumText(v1::LetterOutcome_descriptor(), l.outcome()));
  }
  if (!l.benefit().empty()) fields.emplace_back("benefit", l.benefit());
  if (l.benefit_amount_cents()) {
    fields.emplace_back("amount", std::to_string(l.benefit_amount_cents() / 100) + "." +
                                      std::to_string(l.benefit_amount_cents() % 100 / 10) +
                                      std::to_string(l.benefit_amount_cents() % 10) + " yuan");
  }
  if (!l.reward().empty()) fields.emplace_back("reward", l.reward());
  if (!l.decline_reason().empty()) fields.emplace_back("declined", l.decline_reason());
  if (l.misconduct_organization_id()) {
    fields.emplace_back("misconduct in", names.Org(l.misconduct_organization_id()));
  }
  PrintFields(std::cout, fields);
  std::cout << "\n" << l.body() << "\n";
}

void List(Session& session, const ListOptions& o) {
  v1::ListInboxRequest request;
  request.set_organization_id(OrgOrOwn(session, o.org));
  if (!o.state.empty()) {
    request.set_state(
        static_cast<v1::LetterState>(ParseEnum(v1::LetterState_descriptor(), o.state, "--state")));
  }
  if (!o.category.empty()) {
    request.set_category(static_cast<v1::LetterCategory>(
        ParseEnum(v1::LetterCategory_descriptor(), o.category, "--category")));
  }
  request.set_overdue_only(o.overdue);
  request.set_this_organization_only(o.this_org_only);
  request.set_page_size(1000);
  auto stub = v1::FeedbackService::NewStub(session.channel());
  std::vector<v1::Letter> letters;
  do {
    auto page = session.Call<v1::ListLettersResponse>(
        [&](auto* c, auto* r) { return stub->ListInbox(c, request, r); });
    letters.insert(letters.end(), page.letters().begin(), page.letters().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& l : letters) list.push_back(ToJson(l));
    return PrintJson({{"letters", list}});
  }
  int32_t offset = session.utc_offset_minutes();
  Table table({"ID", "ORG", "STATE", "CATEGORY", "CHANNEL", "SUBJECT", "AUTHOR", "RESOLVE BY"});
  Names names(session);
  for (const auto& l : letters) {
    table.AddRow({std::to_string(l.id()), names.Org(l.organization_id()),
                  StateText(l.state()) + (l.overdue() ? " OVERDUE" : ""),
                  EnumText(v1::LetterCategory_descriptor(), l.category()),
                  EnumText(v1::LetterChannel_descriptor(), l.channel()), l.subject(), Author(l),
                  FormatLocal(l.resolve_due_time(), offset)});
  }
  table.Print(std::cout);
}

void Show(Session& session, uint64_t id) {
  auto stub = v1::FeedbackService::NewStub(session.channel());
  v1::GetLetterRequest get;
  get.set_id(id);
  auto letter =
      session.Call<v1::Letter>([&](auto* c, auto* r) { return stub->GetLetter(c, get, r); });
  v1::ListLetterEventsRequest request;
  request.set_id(id);
  request.set_page_size(1000);
  std::vector<v1::LetterEvent> events;
  do {
    auto page = session.Call<v1::ListLetterEventsResponse>(
        [&](auto* c, auto* r) { return stub->ListLetterEvents(c, request, r); });
    events.insert(events.end(), page.events().begin(), page.events().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : events) list.push_back(ToJson(e));
    return PrintJson({{"letter", ToJson(letter)}, {"events", list}});
  }
  PrintLetter(session, letter);
  std::cout << "\nThread:\n";
  Table table({"WHEN", "WHAT", "BY", "TEXT"});
  int32_t offset = session.utc_offset_minutes();
  Names names(session);
  for (const auto& e : events) {
    std::string what = EnumText(v1::LetterEventKind_descriptor(), e.kind());
    if (e.kind() == v1::LETTER_EVENT_KIND_STATE_CHANGED) what += " → " + StateText(e.to_state());
    table.AddRow(
        {FormatLocal(e.create_time(), offset), what, names.Person(e.person_id()), e.text()});
  }
  table.Print(std::cout);
}

void PrintEvent(Session& session, const v1::LetterEvent& e) {
  if (session.options().json) return PrintJson(ToJson(e));
  std::cout << "Letter " << e.letter_id() << ": "
            << EnumText(v1::LetterEventKind_descriptor(), e.kind()) << " recorded (event "
            << e.sequence() << ").\n";
}

}  // namespace

void AddInboxCommands(CLI::App& app, Session& session) {
  auto* inbox = app.add_subcommand("inbox", "The staff mailbox (职工信箱) of an organisation");

  auto l = std::make_shared<ListOptions>();
  auto* list = inbox->add_subcommand("list", "Letters in an organisation's inbox");
  list->add_option("--org", l->org, "Organisation (default: your own)");
  list->add_option("--state", l->state, "Only: " + EnumChoices(v1::LetterState_descriptor()));
  list->add_option("--category", l->category,
                   "Only: " + EnumChoices(v1::LetterCategory_descriptor()));
  list->add_flag("--overdue", l->overdue, "Only overdue letters");
  list->add_flag("--this-org-only", l->this_org_only,
                 "Only letters of this organisation, not those of teams below it without a "
                 "handler of their own");
  list->callback([&session, l] { List(session, *l); });

  auto show_id = std::make_shared<uint64_t>(0);
  auto* show = inbox->add_subcommand("show", "A letter with its thread");
  show->add_option("id", *show_id, "Letter id")->required();
  show->callback([&session, show_id] { Show(session, *show_id); });

  auto r = std::make_shared<ActOptions>();
  auto* reply = inbox->add_subcommand("reply", "Reply publicly to the author");
  reply->add_option("id", r->id, "Letter id")->required();
  reply->add_option("--text", r->text, "The reply")->required();
  reply->add_flag("--wait-for-author", r->wait_for_author,
                  "Ask the author something; pauses the deadline clock");
  AddRequestIdOption(reply, &r->request_id);
  reply->callback([&session, r] {
    v1::ReplyToLetterRequest request;
    request.set_request_id(OrNew(r->request_id));
    request.set_id(r->id);
    request.set_text(r->text);
    request.set_wait_for_author(r->wait_for_author);
    auto stub = v1::FeedbackService::NewStub(session.channel());
    PrintEvent(session, session.Call<v1::LetterEvent>([&](auto* c, auto* out) {
      return stub->ReplyToLetter(c, request, out);
    }));
  });

  auto e = std::make_shared<ActOptions>();
  auto* escalate = inbox->add_subcommand("escalate", "Move a letter to the organisation above");
  escalate->add_option("id", e->id, "Letter id")->required();
  escalate->add_option("--reason", e->text, "Why")->required();
  AddRequestIdOption(escalate, &e->request_id);
  escalate->callback([&session, e] {
    v1::EscalateLetterRequest request;
    request.set_request_id(OrNew(e->request_id));
    request.set_id(e->id);
    request.set_reason(e->text);
    auto stub = v1::FeedbackService::NewStub(session.channel());
    PrintLetter(session, session.Call<v1::Letter>([&](auto* c, auto* out) {
      return stub->EscalateLetter(c, request, out);
    }));
  });

  auto a = std::make_shared<ActOptions>();
  auto assignee = std::make_shared<uint64_t>(0);
  auto* assign =
      inbox->add_subcommand("assign", "Assign a handler (a manager of its organisation)");
  assign->add_option("id", a->id, "Letter id")->required();
  assign->add_option("--to", *assignee, "Person id of the handler")->required();
  AddRequestIdOption(assign, &a->request_id);
  assign->callback([&session, a, assignee] {
    v1::AssignLetterRequest request;
    request.set_request_id(OrNew(a->request_id));
    request.set_id(a->id);
    request.set_assignee_person_id(*assignee);
    auto stub = v1::FeedbackService::NewStub(session.channel());
    PrintLetter(session, session.Call<v1::Letter>([&](auto* c, auto* out) {
      return stub->AssignLetter(c, request, out);
    }));
  });

  auto n = std::make_shared<ActOptions>();
  auto* note =
      inbox->add_subcommand("note", "An internal note of the handlers (never shown to the author)");
  note->add_option("id", n->id, "Letter id")->required();
  note->add_option("--text", n->text, "The note")->required();
  AddRequestIdOption(note, &n->request_id);
  note->callback([&session, n] {
    v1::AddInternalNoteRequest request;
    request.set_request_id(OrNew(n->request_id));
    request.set_id(n->id);
    request.set_text(n->text);
    auto stub = v1::FeedbackService::NewStub(session.channel());
    PrintEvent(session, session.Call<v1::LetterEvent>([&](auto* c, auto* out) {
      return stub->AddInternalNote(c, request, out);
    }));
  });

  auto s = std::make_shared<ActOptions>();
  auto* state = inbox->add_subcommand(
      "state", "Move a letter along: acknowledged, in-progress, resolved, closed, or refused");
  state->add_option("id", s->id, "Letter id")->required();
  state->add_option("--to", s->state, "New state: " + EnumChoices(v1::LetterState_descriptor()))
      ->required();
  state->add_option("--reason", s->text, "Why (required to refuse)");
  AddRequestIdOption(state, &s->request_id);
  state->callback([&session, s] {
    v1::TransitionLetterRequest request;
    request.set_request_id(OrNew(s->request_id));
    request.set_id(s->id);
    request.set_state(
        static_cast<v1::LetterState>(ParseEnum(v1::LetterState_descriptor(), s->state, "--to")));
    request.set_reason(s->text);
    auto stub = v1::FeedbackService::NewStub(session.channel());
    PrintLetter(session, session.Call<v1::Letter>([&](auto* c, auto* out) {
      return stub->TransitionLetter(c, request, out);
    }));
  });

  auto g = std::make_shared<RegisterOptions>();
  auto* reg = inbox->add_subcommand(
      "register", "Register a letter that came by phone, paper, e-mail or in person");
  reg->add_option("--org", g->org, "Organisation that received it (default: your own)");
  reg->add_option("--channel", g->channel,
                  "How it came: " + EnumChoices(v1::LetterChannel_descriptor()))
      ->required();
  reg->add_option("--received", g->received, "Date received, YYYY-MM-DD (default: today)");
  reg->add_option("--category", g->category,
                  "Category: " + EnumChoices(v1::LetterCategory_descriptor()))
      ->required();
  reg->add_option("--subject", g->subject, "Subject")->required();
  reg->add_option("--body", g->body, "The letter's text or a summary of the call")->required();
  reg->add_option("--about", g->about, "Person id the letter reports on");
  auto* by_id = reg->add_option("--author-id", g->author_id, "The writer's person id");
  auto* by_name = reg->add_option("--author-name", g->author_name, "The writer's name as given");
  auto* anon = reg->add_flag("--anonymous", g->anonymous, "Anonymous: prints a receipt code");
  by_id->excludes(by_name)->excludes(anon);
  by_name->excludes(anon);
  AddRequestIdOption(reg, &g->request_id);
  reg->callback([&session, g] {
    if (!g->author_id && g->author_name.empty() && !g->anonymous) {
      throw CtlError(kExitUsage, "name the writer: --author-id, --author-name or --anonymous");
    }
    v1::RegisterLetterRequest request;
    // An anonymous letter's receipt code is derived from the request id: make it long.
    request.set_request_id(OrNew(g->request_id));
    request.set_organization_id(OrgOrOwn(session, g->org));
    request.set_channel(static_cast<v1::LetterChannel>(
        ParseEnum(v1::LetterChannel_descriptor(), g->channel, "--channel")));
    if (g->received.empty()) {
      Date today = LocalDate(std::time(nullptr), session.utc_offset_minutes());
      request.mutable_received_date()->set_year(today.year);
      request.mutable_received_date()->set_month(today.month);
      request.mutable_received_date()->set_day(today.day);
    } else {
      *request.mutable_received_date() = LocalDateArgument("--received", g->received);
    }
    request.set_category(static_cast<v1::LetterCategory>(
        ParseEnum(v1::LetterCategory_descriptor(), g->category, "--category")));
    request.set_subject(g->subject);
    request.set_body(g->body);
    request.set_about_person_id(g->about);
    if (g->author_id) {
      request.set_author_person_id(g->author_id);
    } else if (!g->author_name.empty()) {
      request.set_author_name(g->author_name);
    } else {
      request.set_anonymous(true);
    }
    auto stub = v1::FeedbackService::NewStub(session.channel());
    auto response = session.Call<v1::SubmitLetterResponse>(
        [&](auto* c, auto* out) { return stub->RegisterLetter(c, request, out); });
    if (session.options().json) return PrintJson(ToJson(response));
    PrintLetter(session, response.letter());
    if (!response.receipt_code().empty()) {
      std::cout << "\nReceipt code (print it for the writer; it cannot be shown again without "
                   "this request id: "
                << request.request_id() << "):\n  " << response.receipt_code() << "\n";
    }
  });

  auto o = std::make_shared<OutcomeOptions>();
  auto* outcome = inbox->add_subcommand(
      "outcome", "Record a proposal's outcome: adopted, implemented, rewarded or declined");
  outcome->add_option("id", o->id, "Letter id")->required();
  outcome
      ->add_option("--outcome", o->outcome,
                   "Outcome: " + EnumChoices(v1::LetterOutcome_descriptor()))
      ->required();
  outcome->add_option("--reason", o->reason, "Why it was declined (required to decline)");
  outcome->add_option("--benefit", o->benefit, "The benefit (required when implemented)");
  outcome->add_option("--amount", o->amount, "The benefit or reward in yuan, e.g. 12500.50");
  outcome->add_option("--reward", o->reward, "What the reward was");
  AddRequestIdOption(outcome, &o->request_id);
  outcome->callback([&session, o] {
    v1::RecordLetterOutcomeRequest request;
    request.set_request_id(OrNew(o->request_id));
    request.set_id(o->id);
    request.set_outcome(static_cast<v1::LetterOutcome>(
        ParseEnum(v1::LetterOutcome_descriptor(), o->outcome, "--outcome")));
    request.set_reason(o->reason);
    request.set_benefit(o->benefit);
    if (!o->amount.empty()) request.set_benefit_amount_cents(CentsArgument(o->amount));
    request.set_reward(o->reward);
    auto stub = v1::FeedbackService::NewStub(session.channel());
    PrintLetter(session, session.Call<v1::Letter>([&](auto* c, auto* out) {
      return stub->RecordLetterOutcome(c, request, out);
    }));
  });

  auto k = std::make_shared<ActOptions>();
  auto marked_org = std::make_shared<uint64_t>(0);
  auto* mark = inbox->add_subcommand(
      "mark-misconduct",
      "Mark a letter as reporting misconduct in an organisation: its handlers lose sight of it "
      "once escalated");
  mark->add_option("id", k->id, "Letter id")->required();
  mark->add_option("--org", *marked_org, "The organisation concerned")->required();
  AddRequestIdOption(mark, &k->request_id);
  mark->callback([&session, k, marked_org] {
    v1::MarkLetterMisconductRequest request;
    request.set_request_id(OrNew(k->request_id));
    request.set_id(k->id);
    request.set_organization_id(*marked_org);
    auto stub = v1::FeedbackService::NewStub(session.channel());
    PrintLetter(session, session.Call<v1::Letter>([&](auto* c, auto* out) {
      return stub->MarkLetterMisconduct(c, request, out);
    }));
  });
}

}  // namespace branchline::ctl
