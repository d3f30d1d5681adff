#include "clients/desktop/models/feedback_models.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include "clients/desktop/models/formatting.h"

namespace branchline::desk {

QString AuthorLabel(const v1::Letter& letter, const NameLookup& names) {
  if (letter.anonymous()) return QStringLiteral("【匿名 Anonymous】");
  if (!letter.author_display_name().empty()) {
    return QString::fromStdString(letter.author_display_name());
  }
  return names.Name(letter.author_person_id());
}

InboxModel::InboxModel(const NameLookup* names, QObject* parent)
    : ProtoTableModel(
          {{QStringLiteral("逾期 Overdue"),
            [](const v1::Letter& l, int role) -> QVariant {
              if (role == Qt::DisplayRole)
                return l.overdue() ? QStringLiteral("⚠ 逾期") : QString();
              if (role == Qt::BackgroundRole && l.overdue())
                return QBrush(QColor(0xf5, 0xb7, 0xb1));
              return {};
            }},
           TextColumn<v1::Letter>(QStringLiteral("收到 Received"),
                                  [](const v1::Letter& l) { return FormatTime(l.receive_time()); }),
           TextColumn<v1::Letter>(
               QStringLiteral("类别 Category"),
               [](const v1::Letter& l) { return LetterCategoryLabel(l.category()); }),
           {QStringLiteral("主题 Subject"),
            [](const v1::Letter& l, int role) -> QVariant {
              if (role == Qt::DisplayRole) return QString::fromStdString(l.subject());
              if (role == Qt::BackgroundRole && l.overdue())
                return QBrush(QColor(0xf8, 0xd7, 0xda));
              return {};
            }},
           {QStringLiteral("来信人 Author"),
            [names](const v1::Letter& l, int role) -> QVariant {
              if (role == Qt::DisplayRole) return AuthorLabel(l, *names);
              if (role == Qt::FontRole && l.anonymous()) {
                QFont f;
                f.setItalic(true);
                return f;
              }
              return {};
            }},
           TextColumn<v1::Letter>(QStringLiteral("状态 State"),
                                  [](const v1::Letter& l) { return LetterStateLabel(l.state()); }),
           TextColumn<v1::Letter>(
               QStringLiteral("承办人 Assignee"),
               [names](const v1::Letter& l) { return names->Name(l.assignee_person_id()); }),
           TextColumn<v1::Letter>(
               QStringLiteral("受理期限 Ack. due"),
               [](const v1::Letter& l) { return FormatTime(l.acknowledge_due_time()); })},
          parent) {}

int InboxModel::OverdueCount() const {
  int n = 0;
  for (const auto& l : rows()) n += l.overdue() ? 1 : 0;
  return n;
}

QString RenderThreadHtml(const v1::Letter& letter, const std::vector<v1::LetterEvent>& events,
                         const NameLookup& names) {
  auto esc = [](const std::string& s) { return QString::fromStdString(s).toHtmlEscaped(); };
  QString html =
      QStringLiteral("<h3>%1</h3><p><b>%2</b> · %3 · %4%5</p><p>%6</p><hr/>")
          .arg(esc(letter.subject()), LetterCategoryLabel(letter.category()),
               AuthorLabel(letter, names).toHtmlEscaped(), LetterStateLabel(letter.state()),
               letter.overdue()
                   ? QStringLiteral(" · <span style='color:#b00020'>⚠ 逾期 overdue</span>")
                   : QString(),
               esc(letter.body()).replace(QLatin1Char('\n'), QStringLiteral("<br/>")));
  for (const auto& e : events) {
    const bool internal = e.kind() == v1::LETTER_EVENT_KIND_INTERNAL_NOTE;
    // The author's own events never carry a person id for anonymous letters.
    QString who = e.person_id() != 0
                      ? names.Name(e.person_id()).toHtmlEscaped()
                      : (letter.anonymous() ? QStringLiteral("匿名来信人 Anonymous") : QString());
    QString line = QStringLiteral("<b>%1</b> · %2 · %3")
                       .arg(LetterEventKindLabel(e.kind()), who, FormatTime(e.create_time()));
    if (e.kind() == v1::LETTER_EVENT_KIND_STATE_CHANGED) {
      line += QStringLiteral(" · %1 → %2")
                  .arg(LetterStateLabel(e.from_state()), LetterStateLabel(e.to_state()));
    }
    if (e.kind() == v1::LETTER_EVENT_KIND_ASSIGNED) {
      line += QStringLiteral(" → %1").arg(names.Name(e.assignee_person_id()).toHtmlEscaped());
    }
    QString text = esc(e.text()).replace(QLatin1Char('\n'), QStringLiteral("<br/>"));
    if (internal) {
      html += QStringLiteral(
                  "<table width='100%' bgcolor='#fff3cd' cellpadding='4'><tr><td>"
                  "<i>【仅内部可见 internal, not shown to the author】</i><br/>%1<br/>%2"
                  "</td></tr></table>")
                  .arg(line, text);
    } else {
      html += QStringLiteral("<p>%1<br/>%2</p>").arg(line, text);
    }
  }
  return html;
}

}  // namespace branchline::desk
