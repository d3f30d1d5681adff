#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace branchline::ctl {

// Columns a terminal gives a UTF-8 string: East Asian wide and fullwidth characters (汉字,
// fullwidth punctuation, Hangul, CJK symbols) take two, combining marks none, the rest one.
// Invalid bytes count one each, like the replacement character a terminal would show.
size_t DisplayWidth(std::string_view utf8);

// A table aligned by display width, so Chinese names line up with ASCII ones.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  size_t size() const { return rows_.size(); }
  // Two spaces between columns; the last column is not padded.
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "key: value" lines with the values aligned, for `show` commands.
void PrintFields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace branchline::ctl
