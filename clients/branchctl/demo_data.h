#pragma once

#include <string>
#include <vector>

#include "branchline/v1/common.pb.h"
#include "branchline/v1/feedback.pb.h"
#include "branchline/v1/study.pb.h"

namespace branchline::ctl::demo {

// The demo organisation, written down as data so the loader stays a plain sequence of API
// calls. Everything here is fictional; the names are common Chinese names.
struct DemoPerson {
  std::string name;
  std::string phone;  // the login
  std::string employee_number;
  v1::Role role;
  int team;  // -1: the branch itself, else an index into Teams()
};

struct DemoMaterial {
  std::string key;  // stable part of its request id
  v1::MaterialKind kind;
  std::string title, body, link;
  int estimated_minutes;
};

struct DemoLetter {
  std::string key;
  int author;  // index into People()
  bool anonymous;
  v1::LetterCategory category;
  std::string subject, body;
  // What the secretary has done with it so far, in order (empty: still new).
  std::vector<v1::LetterState> handled_to;
  std::string reply;
};

const std::string& BranchName();
const std::vector<std::string>& Teams();
const std::vector<DemoPerson>& People();
const std::vector<DemoMaterial>& Materials();
const std::vector<DemoLetter>& Letters();
// Study notes drivers write, cycled through.
const std::vector<std::string>& StudyNotes();
// Default password of every demo person (demo data, printed on purpose).
inline constexpr char kDefaultPassword[] = "branchline-demo";

}  // namespace branchline::ctl::demo
