// org list | show | create | move: the organisation tree.
#include <iostream>
#include <map>

#include "branchline/v1/organizations.grpc.pb.h"
#include "clients/branchctl/commands.h"
#include "clients/branchctl/enum_names.h"
#include "clients/branchctl/names.h"
#include "clients/branchctl/output.h"
#include "clients/branchctl/table.h"

namespace branchline::ctl {
namespace {

struct ListOptions {
  uint64_t parent = 0;
  bool tree = false;
  bool archived = false;
};

std::vector<v1::Organization> ListAll(Session& session, const v1::ListOrganizationsRequest& first) {
  auto orgs = v1::OrganizationService::NewStub(session.channel());
  std::vector<v1::Organization> all;
  v1::ListOrganizationsRequest request = first;
  request.set_page_size(1000);
  do {
    auto page = session.Call<v1::ListOrganizationsResponse>(
        [&](auto* c, auto* r) { return orgs->ListOrganizations(c, request, r); });
    all.insert(all.end(), page.organizations().begin(), page.organizations().end());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return all;
}

v1::Organization Get(Session& session, uint64_t id) {
  auto orgs = v1::OrganizationService::NewStub(session.channel());
  v1::GetOrganizationRequest request;
  request.set_id(id);
  return session.Call<v1::Organization>(
      [&](auto* c, auto* r) { return orgs->GetOrganization(c, request, r); });
}

// The subtree in depth-first order, each name indented by its depth below the root.
void PrintTree(const v1::Organization& root, const std::vector<v1::Organization>& below) {
  std::map<uint64_t, std::vector<const v1::Organization*>> children;
  for (const auto& org : below) children[org.parent_id()].push_back(&org);
  Table table({"ID", "NAME", "KIND", "UTC OFFSET"});
  std::function<void(const v1::Organization&, int)> add = [&](const v1::Organization& org,
                                                              int depth) {
    std::string name = std::string(2 * depth, ' ') + org.name();
    if (org.archived()) name += " (archived)";
    table.AddRow({std::to_string(org.id()), name,
                  EnumText(v1::OrganizationKind_descriptor(), org.kind()),
                  std::to_string(org.utc_offset_minutes())});
    for (const auto* child : children[org.id()]) add(*child, depth + 1);
  };
  add(root, 0);
  table.Print(std::cout);
}

void List(Session& session, const ListOptions& o) {
  v1::ListOrganizationsRequest request;
  request.set_parent_id(OrgOrOwn(session, o.parent));
  request.set_include_descendants(o.tree);
  request.set_show_archived(o.archived);
  auto orgs = ListAll(session, request);
  if (session.options().json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& org : orgs) list.push_back(ToJson(org));
    return PrintJson({{"organizations", list}});
  }
  if (o.tree) return PrintTree(Get(session, request.parent_id()), orgs);
  Table table({"ID", "NAME", "KIND", "PARENT", "ARCHIVED"});
  Names names(session);
  for (const auto& org : orgs) {
    table.AddRow({std::to_string(org.id()), org.name(),
                  EnumText(v1::OrganizationKind_descriptor(), org.kind()),
                  names.Org(org.parent_id()), org.archived() ? "yes" : "no"});
  }
  table.Print(std::cout);
}

void Show(const v1::Organization& org, Session& session) {
  if (session.options().json) return PrintJson(ToJson(org));
  PrintFields(std::cout, {{"id", std::to_string(org.id())},
                          {"name", org.name()},
                          {"kind", EnumText(v1::OrganizationKind_descriptor(), org.kind())},
                          {"parent", Names(session).Org(org.parent_id())},
                          {"utc offset minutes", std::to_string(org.utc_offset_minutes())},
                          {"archived", org.archived() ? "yes" : "no"}});
}

struct CreateOptions {
  uint64_t parent = 0;
  std::string name;
  std::string kind = "branch";
  std::optional<int32_t> utc_offset;
  std::string request_id;
};

struct MoveOptions {
  uint64_t id = 0;
  uint64_t to = 0;
  std::string request_id;
};

}  // namespace

void AddOrgCommands(CLI::App& app, Session& session) {
  auto* org = app.add_subcommand("org", "The organisation tree");

  auto list_options = std::make_shared<ListOptions>();
  auto* list = org->add_subcommand("list", "List the children (or with --tree the subtree)");
  list->add_option("--parent", list_options->parent,
                   "Organisation whose children to list (default: your own)");
  list->add_flag("--tree", list_options->tree, "The whole subtree, indented");
  list->add_flag("--archived", list_options->archived, "Include archived organisations");
  list->callback([&session, list_options] { List(session, *list_options); });

  auto show_id = std::make_shared<uint64_t>(0);
  auto* show = org->add_subcommand("show", "Show one organisation");
  show->add_option("id", *show_id, "Organisation id")->required();
  show->callback([&session, show_id] { Show(Get(session, *show_id), session); });

  auto c = std::make_shared<CreateOptions>();
  auto* create = org->add_subcommand("create", "Create an organisation under a parent");
  create->add_option("--parent", c->parent, "Parent organisation id")->required();
  create->add_option("--name", c->name, "Name, 1..100 characters")->required();
  create->add_option("--kind", c->kind, "Kind: " + EnumChoices(v1::OrganizationKind_descriptor()))
      ->capture_default_str();
  create->add_option("--utc-offset", c->utc_offset, "Minutes from UTC (default: the parent's)");
  AddRequestIdOption(create, &c->request_id);
  create->callback([&session, c] {
    v1::CreateOrganizationRequest request;
    request.set_request_id(OrNew(c->request_id));
    auto* o = request.mutable_organization();
    o->set_parent_id(c->parent);
    o->set_name(c->name);
    o->set_kind(static_cast<v1::OrganizationKind>(
        ParseEnum(v1::OrganizationKind_descriptor(), c->kind, "--kind")));
    if (c->utc_offset) o->set_utc_offset_minutes(*c->utc_offset);
    auto orgs = v1::OrganizationService::NewStub(session.channel());
    Show(session.Call<v1::Organization>(
             [&](auto* ctx, auto* r) { return orgs->CreateOrganization(ctx, request, r); }),
         session);
  });

  auto m = std::make_shared<MoveOptions>();
  auto* move = org->add_subcommand("move", "Move an organisation (with its subtree)");
  move->add_option("id", m->id, "Organisation to move")->required();
  move->add_option("--to", m->to, "New parent")->required();
  AddRequestIdOption(move, &m->request_id);
  move->callback([&session, m] {
    v1::MoveOrganizationRequest request;
    request.set_request_id(OrNew(m->request_id));
    request.set_id(m->id);
    request.set_new_parent_id(m->to);
    auto orgs = v1::OrganizationService::NewStub(session.channel());
    Show(session.Call<v1::Organization>(
             [&](auto* ctx, auto* r) { return orgs->MoveOrganization(ctx, request, r); }),
         session);
  });
}

}  // namespace branchline::ctl
