#include "tests/support/api_services.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "branchline/v1/admin.grpc.pb.h"
#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/audit.grpc.pb.h"
#include "branchline/v1/auth.grpc.pb.h"
#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/duties.grpc.pb.h"
#include "branchline/v1/evaluation.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/files.grpc.pb.h"
#include "branchline/v1/handbook.grpc.pb.h"
#include "branchline/v1/notifications.grpc.pb.h"
#include "branchline/v1/organizations.grpc.pb.h"
#include "branchline/v1/people.grpc.pb.h"
#include "branchline/v1/records.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"

namespace branchline::testing {

std::vector<const google::protobuf::ServiceDescriptor*> ApiServices() {
  // One message of each service's file, so the linker keeps (and registers) every file.
  for (const auto* linked :
       {v1::CreateBackupRequest::descriptor(), v1::GetMeetingRequest::descriptor(),
        v1::SignInRequest::descriptor(), v1::GetLetterRequest::descriptor(),
        v1::GetOrganizationRequest::descriptor(), v1::GetPersonRequest::descriptor(),
        v1::GetMaterialRequest::descriptor(), v1::ListChangesRequest::descriptor(),
        v1::GetMeetingSeriesRequest::descriptor(), v1::GetMeetingRecordRequest::descriptor(),
        v1::GetRoundRequest::descriptor(), v1::ListMyNotificationsRequest::descriptor(),
        v1::ListAuditRecordsRequest::descriptor(), v1::GetDutyBoardRequest::descriptor(),
        v1::GetFileRequest::descriptor(), v1::GetBranchHandbookRequest::descriptor()}) {
    EXPECT_NE(linked, nullptr);
  }
  std::vector<const google::protobuf::ServiceDescriptor*> services;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const auto& entry :
       std::filesystem::directory_iterator(BRANCHLINE_SOURCE_DIR "/proto/branchline/v1")) {
    if (entry.path().extension() != ".proto") continue;
    const auto* file = pool->FindFileByName("branchline/v1/" + entry.path().filename().string());
    EXPECT_NE(file, nullptr) << entry.path()
                             << " is not linked into the tests: see tests/support/api_services.cc";
    if (!file) continue;
    for (int s = 0; s < file->service_count(); ++s) services.push_back(file->service(s));
  }
  return services;
}

}  // namespace branchline::testing
