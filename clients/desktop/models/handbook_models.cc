#include "clients/desktop/models/handbook_models.h"

#include <QFileInfo>
#include <QStringList>
#include <algorithm>

#include "clients/desktop/models/calendar_models.h"
#include "clients/desktop/models/formatting.h"
#include "clients/desktop/models/records_models.h"

namespace branchline::desk {
namespace {

const QString kWithheld = QStringLiteral("未显示（无权限） Not shown, no permission");

bool Withheld(const v1::BranchHandbook& h, const std::string& key) {
  return std::find(h.withheld_sections().begin(), h.withheld_sections().end(), key) !=
         h.withheld_sections().end();
}

// Arrived as the check-in screen counts them: on time, late or remote.
int Arrived(const v1::StatusCounts& c) { return c.present() + c.late() + c.remote(); }

HandbookSection Overview(const v1::BranchHandbook& h) {
  const QString name = QString::fromStdString(h.organization_name());
  return {"",
          QStringLiteral("概况 Overview"),
          name,
          {{QStringLiteral("党组织 Organisation"), name},
           {QStringLiteral("统计期间 Period"),
            QStringLiteral("%1 至 %2")
                .arg(FormatLocalDate(h.from_date()), FormatLocalDate(h.to_date()))},
           {QStringLiteral("生成时间 Made"), FormatTime(h.generate_time())}}};
}

void FillMembers(const v1::BranchHandbook& h, HandbookSection* s) {
  s->summary = QStringLiteral("%1 人 people").arg(h.members_size());
  for (const auto& m : h.members()) {
    QString detail = RoleLabel(m.role());
    if (!m.employee_number().empty()) {
      detail += QStringLiteral(" · 工号 No. %1").arg(QString::fromStdString(m.employee_number()));
    }
    s->lines.push_back({QString::fromStdString(m.display_name()), detail});
  }
}

void FillMeetings(const v1::BranchHandbook& h, HandbookSection* s) {
  int with_minutes = 0;
  for (const auto& held : h.meetings()) {
    const v1::StatusCounts& c = held.attendance();
    if (held.has_minutes()) ++with_minutes;
    s->lines.push_back(
        {QStringLiteral("%1 %2").arg(FormatTime(held.meeting().start_time()),
                                     QString::fromStdString(held.meeting().title())),
         QStringLiteral("%1 · 到会 %2 / %3 应到 present · 纪要 Minutes %4 · 问题 %5 problems · "
                        "附件 %6 attachments")
             .arg(MeetingTypeLabel(held.meeting().type()))
             .arg(Arrived(c))
             .arg(c.expected())
             .arg(held.has_minutes() ? QStringLiteral("有 yes") : QStringLiteral("无 no"))
             .arg(held.minutes().problems_size())
             .arg(held.attachments())});
  }
  s->summary = QStringLiteral("召开 %1 次 held · 有纪要 %2 次 with minutes")
                   .arg(h.meetings_size())
                   .arg(with_minutes);
}

void FillAttendance(const v1::BranchHandbook& h, HandbookSection* s) {
  const v1::AttendanceReport& a = h.attendance();
  s->summary = QStringLiteral("会议 %1 meetings · 出勤率 attendance %2 · 完成率 completion %3")
                   .arg(a.meetings())
                   .arg(FormatPercent(a.total().attendance_rate()),
                        FormatPercent(a.total().completion_rate()));
  s->lines.push_back({QStringLiteral("合计 Total"), FormatCounts(a.total().counts())});
  for (const auto& t : a.by_type()) {
    s->lines.push_back(
        {MeetingTypeLabel(t.type()), QStringLiteral("%1 次 meetings · 出勤率 attendance %2")
                                         .arg(t.meetings())
                                         .arg(FormatPercent(t.rates().attendance_rate()))});
  }
}

void FillCompliance(const v1::BranchHandbook& h, HandbookSection* s) {
  if (!h.has_compliance()) {
    // Not a branch with a schedule of its own: no row in the compliance report.
    s->summary = QStringLiteral("无 None");
    return;
  }
  const v1::BranchCompliance& c = h.compliance();
  s->summary = c.compliant() ? QStringLiteral("已落实 All held")
                             : QStringLiteral("缺项 %1 missing").arg(c.missing_size());
  for (const auto& p : c.missing()) {
    s->lines.push_back({QStringLiteral("%1 %2").arg(MeetingTypeLabel(p.type()),
                                                    QString::fromStdString(p.period())),
                        QStringLiteral("应开 required %1 · 已开 held %2 · %3")
                            .arg(p.required())
                            .arg(p.held())
                            .arg(PeriodStateLabel(p.state()))});
  }
}

void FillStudy(const v1::BranchHandbook& h, HandbookSection* s) {
  const v1::StudyReport& r = h.study();
  s->summary = QStringLiteral("%1 年 · 学习 %2 小时 hours · 进度落后 %3 / %4 人 behind")
                   .arg(r.year())
                   .arg(FormatHours(static_cast<double>(r.total_minutes()) / 60.0))
                   .arg(r.people_behind())
                   .arg(r.people());
  for (const auto& plan : r.plans()) {
    s->lines.push_back(
        {QString::fromStdString(plan.title()), QStringLiteral("完成 %1 / %2 人 complete")
                                                   .arg(plan.people_complete())
                                                   .arg(plan.people())});
  }
}

void FillLedger(const v1::BranchHandbook& h, HandbookSection* s) {
  s->summary = LedgerTotalsText(h.ledger());
  for (const auto& item : h.ledger().items()) {
    QString detail = QStringLiteral("%1 条 entries").arg(item.entries());
    if (item.volunteer_hours() > 0) {
      detail += QStringLiteral(" · %1 小时 h").arg(FormatHours(item.volunteer_hours()));
    }
    s->lines.push_back({item.code().empty()
                            ? QString::fromStdString(item.title())
                            : QStringLiteral("%1 %2").arg(QString::fromStdString(item.code()),
                                                          QString::fromStdString(item.title())),
                        detail});
  }
}

void FillMailbox(const v1::BranchHandbook& h, HandbookSection* s) {
  const v1::FeedbackFigures& f = h.mailbox();
  s->summary = QStringLiteral("来信 Letters %1 · 已办结 Resolved %2 · 逾期 Overdue %3")
                   .arg(f.letter_count())
                   .arg(f.resolved_count())
                   .arg(f.overdue_count());
  for (const auto& c : f.by_category()) {
    s->lines.push_back(
        {LetterCategoryLabel(c.category()), QStringLiteral("%1 封 letters").arg(c.count())});
  }
}

void FillEvaluations(const v1::BranchHandbook& h, HandbookSection* s) {
  s->summary = QStringLiteral("%1 轮 rounds").arg(h.evaluations_size());
  for (const auto& r : h.evaluations()) {
    QString title = QString::fromStdString(r.round().title());
    if (!r.round().period_label().empty()) {
      title += QStringLiteral("（%1）").arg(QString::fromStdString(r.round().period_label()));
    }
    s->lines.push_back({title, QStringLiteral("参评率 Participation %1% (%2 / %3) · %4 subjects")
                                   .arg(r.participation_percent())
                                   .arg(r.participating_raters())
                                   .arg(r.eligible_raters())
                                   .arg(r.subjects_size())});
  }
}

}  // namespace

QString RoleLabel(v1::Role role) {
  switch (role) {
    case v1::ROLE_SECRETARY:
      return QStringLiteral("支部书记 Secretary");
    case v1::ROLE_COMMITTEE_MEMBER:
      return QStringLiteral("支委委员 Committee member");
    case v1::ROLE_FULL_MEMBER:
      return QStringLiteral("正式党员 Full member");
    case v1::ROLE_PROBATIONARY_MEMBER:
      return QStringLiteral("预备党员 Probationary member");
    case v1::ROLE_ACTIVIST:
      return QStringLiteral("入党积极分子 Activist");
    case v1::ROLE_EMPLOYEE:
      return QStringLiteral("群众职工 Employee");
    default:
      return QStringLiteral("—");
  }
}

QString HandbookSectionTitle(const std::string& key) {
  if (key == "members") return QStringLiteral("党员名册 Members");
  if (key == "meetings") return QStringLiteral("会议 Meetings");
  if (key == "attendance") return QStringLiteral("出勤 Attendance");
  if (key == "compliance") return QStringLiteral("会议制度落实 Schedule compliance");
  if (key == "study") return QStringLiteral("学习 Study");
  if (key == "ledger") return QStringLiteral("台账 Ledger");
  if (key == "mailbox") return QStringLiteral("职工信箱 Mailbox");
  if (key == "evaluations") return QStringLiteral("评议 Evaluations");
  return QString::fromStdString(key);
}

QString WithheldSectionsText(const v1::BranchHandbook& handbook) {
  if (handbook.withheld_sections().empty()) return QString();
  QStringList titles;
  for (const auto& key : handbook.withheld_sections()) titles << HandbookSectionTitle(key);
  return kWithheld + QStringLiteral(": ") + titles.join(QStringLiteral("、"));
}

std::vector<HandbookSection> BranchHandbookSections(const v1::BranchHandbook& handbook) {
  using Fill = void (*)(const v1::BranchHandbook&, HandbookSection*);
  static const std::pair<const char*, Fill> kSections[] = {
      {"members", FillMembers},       {"meetings", FillMeetings},
      {"attendance", FillAttendance}, {"compliance", FillCompliance},
      {"study", FillStudy},           {"ledger", FillLedger},
      {"mailbox", FillMailbox},       {"evaluations", FillEvaluations}};
  std::vector<HandbookSection> sections = {Overview(handbook)};
  for (const auto& [key, fill] : kSections) {
    HandbookSection& s = sections.emplace_back();
    s.key = key;
    s.title = HandbookSectionTitle(key);
    if (Withheld(handbook, key)) {
      s.withheld = true;
      s.summary = kWithheld;
    } else {
      fill(handbook, &s);
    }
  }
  return sections;
}

v1::HandbookFormat HandbookFormatOfPath(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == QLatin1String("pdf")) return v1::HANDBOOK_FORMAT_PDF;
  if (suffix == QLatin1String("csv")) return v1::HANDBOOK_FORMAT_CSV;
  if (suffix == QLatin1String("json")) return v1::HANDBOOK_FORMAT_JSON;
  return v1::HANDBOOK_FORMAT_UNSPECIFIED;
}

QString HandbookSuffix(v1::HandbookFormat format) {
  switch (format) {
    case v1::HANDBOOK_FORMAT_PDF:
      return QStringLiteral("pdf");
    case v1::HANDBOOK_FORMAT_CSV:
      return QStringLiteral("csv");
    case v1::HANDBOOK_FORMAT_JSON:
      return QStringLiteral("json");
    default:
      return QString();
  }
}

}  // namespace branchline::desk
