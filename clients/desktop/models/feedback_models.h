#pragma once

#include <QString>
#include <vector>

#include "branchline/v1/feedback.pb.h"
#include "clients/desktop/models/name_lookup.h"
#include "clients/desktop/models/proto_table_model.h"

namespace branchline::desk {

namespace v1 = ::branchline::v1;

// What the inbox shows for an author: anonymous letters say so plainly (the server never
// tells who wrote them, and the client must not suggest it knows).
QString AuthorLabel(const v1::Letter& letter, const NameLookup& names);

// The mailbox inbox: overdue letters on a red background with a flag, anonymous marked.
class InboxModel : public ProtoTableModel<v1::Letter> {
 public:
  InboxModel(const NameLookup* names, QObject* parent = nullptr);
  // Rows that are overdue (for the header count and the tests).
  int OverdueCount() const;
};

// The letter and its thread as HTML for a QTextBrowser: public replies and the author's words
// as they are, internal notes on a yellow band marked "internal" (never shown to the author).
QString RenderThreadHtml(const v1::Letter& letter, const std::vector<v1::LetterEvent>& events,
                         const NameLookup& names);

}  // namespace branchline::desk
