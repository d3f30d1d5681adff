// The API layer without a server: a call returns at once, its answer arrives later on the
// caller's thread, and an unreachable server is said in words.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

#include "clients/desktop/api/api_client.h"

namespace branchline::desk {
namespace {

TEST(ApiClient, UnreachableServerIsAnsweredOnTheCallersThreadInWords) {
  // Port 1 on loopback: nothing listens there, so the connection is refused quickly.
  ApiClient api(QStringLiteral("127.0.0.1:1"));
  QObject receiver;
  QString failure;
  bool succeeded = false;
  QThread* answered_on = nullptr;
  int busy_signals = 0;
  QObject::connect(&api, &ApiClient::BusyChanged, [&](bool) { ++busy_signals; });
  v1::SignInRequest request;
  request.set_login("admin");
  request.set_password("x");
  api.Call(
      &receiver, &v1::AuthService::Stub::SignIn, request,
      [&](const v1::SignInResponse&) { succeeded = true; },
      [&](const QString& message) {
        failure = message;
        answered_on = QThread::currentThread();
      });
  // The call is under way on the worker; this thread was not blocked by it.
  EXPECT_EQ(api.pending(), 1);
  EXPECT_TRUE(failure.isEmpty());
  QElapsedTimer timer;
  timer.start();
  while (api.pending() != 0 && timer.elapsed() < 30000) {
    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
  }
  ASSERT_EQ(api.pending(), 0);
  EXPECT_FALSE(succeeded);
  EXPECT_EQ(answered_on, QThread::currentThread());
  EXPECT_TRUE(failure.contains(QStringLiteral("Cannot reach"))) << failure.toStdString();
  EXPECT_TRUE(failure.contains(QStringLiteral("127.0.0.1:1")));
  EXPECT_EQ(busy_signals, 2);  // busy, then idle
}

TEST(ApiClient, AnswerForADestroyedReceiverIsDropped) {
  ApiClient api(QStringLiteral("127.0.0.1:1"));
  bool called = false;
  {
    QObject receiver;
    api.Call(
        &receiver, &v1::AuthService::Stub::SignIn, v1::SignInRequest(),
        [&](const v1::SignInResponse&) { called = true; }, [&](const QString&) { called = true; });
  }  // the view closed before the answer came
  QElapsedTimer timer;
  timer.start();
  while (api.pending() != 0 && timer.elapsed() < 30000) {
    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
  }
  EXPECT_EQ(api.pending(), 0);
  EXPECT_FALSE(called);
}

TEST(ApiClient, UnreachableServerFailsADownloadInWordsWithNoBytes) {
  ApiClient api(QStringLiteral("127.0.0.1:1"));
  QObject receiver;
  QString failure;
  bool delivered = false;
  QThread* answered_on = nullptr;
  v1::ExportBranchHandbookRequest request;
  request.set_organization_id(7);
  request.set_format(v1::HANDBOOK_FORMAT_PDF);
  api.Download(
      &receiver, &v1::HandbookService::Stub::ExportBranchHandbook, request,
      [&](const QByteArray&) { delivered = true; },
      [&](const QString& message) {
        failure = message;
        answered_on = QThread::currentThread();
      });
  EXPECT_EQ(api.pending(), 1);
  QElapsedTimer timer;
  timer.start();
  while (api.pending() != 0 && timer.elapsed() < 30000) {
    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
  }
  ASSERT_EQ(api.pending(), 0);
  EXPECT_FALSE(delivered);
  EXPECT_EQ(answered_on, QThread::currentThread());
  EXPECT_TRUE(failure.contains(QStringLiteral("Cannot reach"))) << failure.toStdString();
}

TEST(ApiClient, UnreachableServerFailsAFileReadInWordsWithNoBytes) {
  ApiClient api(QStringLiteral("127.0.0.1:1"));
  QObject receiver;
  QString failure;
  bool delivered = false;
  api.ReadFile(
      &receiver, 7, /*thumbnail=*/true, [&](const QByteArray&) { delivered = true; },
      [&](const QString& message) { failure = message; });
  EXPECT_EQ(api.pending(), 1);
  QElapsedTimer timer;
  timer.start();
  while (api.pending() != 0 && timer.elapsed() < 30000) {
    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
  }
  ASSERT_EQ(api.pending(), 0);
  EXPECT_FALSE(delivered);
  EXPECT_TRUE(failure.contains(QStringLiteral("Cannot reach"))) << failure.toStdString();
}

TEST(ApiClient, RequestIdsAreFreshUuids) {
  const std::string a = ApiClient::NewRequestId();
  const std::string b = ApiClient::NewRequestId();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), 36u);  // long enough for anonymous letters (at least 16)
}

}  // namespace
}  // namespace branchline::desk

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
