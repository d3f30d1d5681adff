#include "services/handbook/handbooks.h"

#include <spdlog/spdlog.h>

#include "google/protobuf/util/json_util.h"
#include "services/common/errors.h"
#include "services/common/status_macros.h"
#include "services/handbook/render/handbook_render.h"

namespace branchline {

namespace {

absl::StatusOr<std::string> Json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  std::string json;
  auto s = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!s.ok()) return absl::InternalError("handbook as JSON: " + std::string(s.message()));
  return json;
}

// Checked before the handbook is made, so a wrong format costs nothing.
absl::Status CheckFormat(v1::HandbookFormat format) {
  if (format == v1::HANDBOOK_FORMAT_PDF || format == v1::HANDBOOK_FORMAT_CSV ||
      format == v1::HANDBOOK_FORMAT_JSON) {
    return absl::OkStatus();
  }
  return InvalidField("format",
                      "must be HANDBOOK_FORMAT_PDF, HANDBOOK_FORMAT_CSV or "
                      "HANDBOOK_FORMAT_JSON");
}

// The file of a handbook in a `format` CheckFormat accepted, made by the renderers of
// handbook_render.h.
template <typename Handbook, typename Pdf, typename Csv>
absl::StatusOr<std::string> FileOf(v1::HandbookFormat format, const Handbook& handbook, Pdf pdf,
                                   Csv csv) {
  if (format == v1::HANDBOOK_FORMAT_PDF) return pdf(handbook);
  if (format == v1::HANDBOOK_FORMAT_CSV) return csv(handbook);
  return Json(handbook);
}

// The thumbnails the PDF of `handbook` can show (handbook_render.h): of each meeting, the first
// kThumbnailsPerMeeting photos whose thumbnail can be read, while the handbook has fewer than
// kThumbnailsPerHandbook; read with the caller's own rights, as GetFileContent answers them. A
// thumbnail that cannot be read is left out, and the PDF names its photo without it: a photo
// is not worth failing the handbook for.
handbook::Thumbnails ThumbnailsOf(const FileLibrary& files, const Caller& caller,
                                  const v1::BranchHandbook& handbook) {
  handbook::Thumbnails thumbnails;
  int shown = 0;
  for (const auto& meeting : handbook.meetings()) {
    int taken = 0;
    for (const auto& photo : meeting.photos()) {
      if (taken == handbook::kThumbnailsPerMeeting || shown == handbook::kThumbnailsPerHandbook) {
        break;
      }
      if (thumbnails.count(photo.id()) == 0) {  // else read for an earlier meeting
        v1::GetFileContentRequest read;
        read.set_id(photo.id());
        read.set_thumbnail(true);
        auto content = files.Content(caller, read);
        if (!content.ok()) {
          if (content.status().code() != absl::StatusCode::kNotFound &&
              content.status().code() != absl::StatusCode::kPermissionDenied) {
            spdlog::warn("branch handbook: the thumbnail of file {}: {}", photo.id(),
                         content.status().ToString());
          }
          continue;
        }
        // One read (up to 1 MiB) holds a whole thumbnail of a few KiB; a larger one is none.
        if (content->data().size() != content->total_bytes()) continue;
        thumbnails.emplace(photo.id(), std::move(*content->mutable_data()));
      }
      ++taken;
      ++shown;
    }
  }
  return thumbnails;
}

}  // namespace

absl::StatusOr<std::string> Handbooks::BranchFile(
    const Caller& caller, const v1::ExportBranchHandbookRequest& request) const {
  RETURN_IF_ERROR(CheckFormat(request.format()));
  v1::GetBranchHandbookRequest get;
  get.set_organization_id(request.organization_id());
  if (request.has_from_date()) *get.mutable_from_date() = request.from_date();
  if (request.has_to_date()) *get.mutable_to_date() = request.to_date();
  ASSIGN_OR_RETURN(auto handbook, Branch(caller, get));
  return FileOf(
      request.format(), handbook,
      [&](const v1::BranchHandbook& h) {
        return handbook::BranchHandbookPdf(h, ThumbnailsOf(s_.files, caller, h));
      },
      handbook::BranchHandbookCsv);
}

absl::StatusOr<std::string> Handbooks::MemberFile(
    const Caller& caller, const v1::ExportMemberHandbookRequest& request) const {
  RETURN_IF_ERROR(CheckFormat(request.format()));
  v1::GetMemberHandbookRequest get;
  get.set_person_id(request.person_id());
  if (request.has_from_date()) *get.mutable_from_date() = request.from_date();
  if (request.has_to_date()) *get.mutable_to_date() = request.to_date();
  ASSIGN_OR_RETURN(auto handbook, Member(caller, get));
  return FileOf(request.format(), handbook, handbook::MemberHandbookPdf,
                handbook::MemberHandbookCsv);
}

}  // namespace branchline
