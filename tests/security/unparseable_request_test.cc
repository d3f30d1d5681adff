// A request that does not parse is INVALID_ARGUMENT on every method of every Branchline
// service, unary and streaming, synchronous and async (issue #19, finding 12: WatchChanges
// answered INTERNAL "Unable to parse request"). The methods come from the service descriptors,
// so a method added tomorrow is covered without touching this test.
#include <gtest/gtest.h>

#include <future>

#include "branchline/v1/admin.grpc.pb.h"
#include "branchline/v1/attendance.grpc.pb.h"
#include "branchline/v1/calendar.grpc.pb.h"
#include "branchline/v1/feedback.grpc.pb.h"
#include "branchline/v1/notifications.grpc.pb.h"
#include "branchline/v1/study.grpc.pb.h"
#include "branchline/v1/sync.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "tests/support/generic_stream.h"
#include "tests/support/test_server.h"

namespace branchline {
namespace {

using testing::TestServer;

// Bytes no protobuf message parses: a length-delimited field cut short, a varint that never
// ends, and a field with the reserved wire type 7.
const std::vector<std::pair<std::string, std::string>>& Unparseable() {
  static const auto* cases = new std::vector<std::pair<std::string, std::string>>{
      {"truncated field", std::string("\x0a\x05"
                                      "ab",
                                      4)},
      {"endless varint", std::string("\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11)},
      {"wire type 7", std::string("\x0f\x01", 2)},
  };
  return *cases;
}

TEST(UnparseableRequestTest, EveryMethodAnswersInvalidArgument) {
  TestServer server;
  const std::string admin = server.AdminToken();
  grpc::GenericStub stub(server.channel());
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  int methods = 0, streams = 0;
  for (const char* name : {"AuthService", "OrganizationService", "PersonService", "AdminService",
                           "SyncService", "AttendanceService", "FeedbackService", "StudyService",
                           "CalendarService", "NotificationService"}) {
    const auto* service = pool->FindServiceByName(std::string("branchline.v1.") + name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* m = service->method(i);
      ASSERT_FALSE(m->client_streaming()) << "extend this test for client streams";
      const std::string path = "/" + service->full_name() + "/" + m->name();
      ++methods;
      if (m->server_streaming()) ++streams;
      for (const auto& [what, bytes] : Unparseable()) {
        auto ctx = TestServer::Ctx(admin);
        grpc::Status status;
        if (m->server_streaming()) {
          status = testing::CallServerStream(stub, *ctx, path, bytes, /*max_messages=*/1);
        } else {
          grpc::Slice slice(bytes);
          grpc::ByteBuffer request(&slice, 1), reply;
          std::promise<grpc::Status> done;
          stub.UnaryCall(ctx.get(), path, grpc::StubOptions(), &request, &reply,
                         [&](grpc::Status s) { done.set_value(std::move(s)); });
          status = done.get_future().get();
        }
        EXPECT_EQ(status.error_code(), grpc::INVALID_ARGUMENT)
            << path << " (" << what << "): " << status.error_code() << " "
            << status.error_message();
      }
    }
  }
  // WatchChanges, ExportRoster, ExportAttendanceReport, ExportMyCalendar, StreamOutbox
  EXPECT_GE(streams, 5);
  std::cout << methods << " methods (" << streams << " server streams) x " << Unparseable().size()
            << " unparseable requests\n";
}

}  // namespace
}  // namespace branchline
