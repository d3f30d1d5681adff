// The refusal message catalogue (services/common/messages/*.po, docs/errors.md): the
// accept-language choice, placeholder rendering, Refusal's details and the LocalizedMessage
// the transport adds. The catalogue's completeness per language and the reasons used in code
// and named in the docs are checked by the errors_catalogue test (scripts/gen_messages.py).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "branchline/v1/error_reasons.h"
#include "google/rpc/error_details.pb.h"
#include "rpc/grpc_status.h"
#include "rpc/localized_status.h"
#include "services/common/errors.h"
#include "services/common/message_catalog.h"
#include "services/common/refusal.h"
#include "tests/support/error_details.h"

namespace branchline {
namespace {

using testing::DetailsOf;

TEST(AcceptLanguage, ChoosesTheBestSupportedLanguageDefaultingToChinese) {
  EXPECT_EQ(ParseAcceptLanguage(""), Locale::kZhCn);
  EXPECT_EQ(ParseAcceptLanguage("en"), Locale::kEn);
  EXPECT_EQ(ParseAcceptLanguage("en-US"), Locale::kEn);
  EXPECT_EQ(ParseAcceptLanguage("EN-gb"), Locale::kEn);
  EXPECT_EQ(ParseAcceptLanguage("en_US"), Locale::kEn);
  EXPECT_EQ(ParseAcceptLanguage("zh-CN"), Locale::kZhCn);
  EXPECT_EQ(ParseAcceptLanguage("zh-TW,en;q=0.5"), Locale::kZhCn);
  // Unknown languages fall through to one we have, else to the default.
  EXPECT_EQ(ParseAcceptLanguage("fr"), Locale::kZhCn);
  EXPECT_EQ(ParseAcceptLanguage("fr-FR, de;q=0.9, en;q=0.5"), Locale::kEn);
  EXPECT_EQ(ParseAcceptLanguage("*"), Locale::kZhCn);
  // q-values: the highest wins, the first on a tie; q=0 is "not this one".
  EXPECT_EQ(ParseAcceptLanguage("en;q=0.2, zh;q=0.9"), Locale::kZhCn);
  EXPECT_EQ(ParseAcceptLanguage("zh;q=0.3,en;q=0.8"), Locale::kEn);
  EXPECT_EQ(ParseAcceptLanguage("en-US,en;q=0.9,zh-CN;q=0.8"), Locale::kEn);
  EXPECT_EQ(ParseAcceptLanguage("en, zh"), Locale::kEn);
  EXPECT_EQ(ParseAcceptLanguage("en;q=0"), Locale::kZhCn);
  EXPECT_EQ(ParseAcceptLanguage("en;q=0, fr"), Locale::kZhCn);
  // Malformed parts are skipped, never an error.
  EXPECT_EQ(ParseAcceptLanguage("en;q=abc"), Locale::kZhCn);
  EXPECT_EQ(ParseAcceptLanguage("en;q=2"), Locale::kZhCn);
  EXPECT_EQ(ParseAcceptLanguage(",,;;,"), Locale::kZhCn);
  EXPECT_EQ(ParseAcceptLanguage(" en ; q=0.7 "), Locale::kEn);
  EXPECT_EQ(LocaleTag(Locale::kZhCn), "zh-CN");
  EXPECT_EQ(LocaleTag(Locale::kEn), "en");
}

std::optional<std::string> From(const std::map<std::string, std::string>& values,
                                std::string_view name) {
  auto it = values.find(std::string(name));
  if (it == values.end()) return std::nullopt;
  return it->second;
}

TEST(RenderMessage, FillsPlaceholdersInChineseAndKeepsMissingOnes) {
  std::map<std::string, std::string> values = {{"distance_m", "312"}, {"radius_m", "200"}};
  auto value = [&](std::string_view name) { return From(values, name); };
  EXPECT_EQ(RenderMessage("您距会场 {distance_m} 米，超出了 {radius_m} 米的签到范围。", value),
            "您距会场 312 米，超出了 200 米的签到范围。");
  EXPECT_EQ(RenderMessage("{distance_m}{radius_m}", value), "312200");
  // A placeholder without a value stays as written, visibly.
  EXPECT_EQ(RenderMessage("距离 {distance_m} 米，共 {count} 人", value),
            "距离 312 米，共 {count} 人");
  // Braces that are no placeholder stay too.
  EXPECT_EQ(RenderMessage("{ 未闭合", value), "{ 未闭合");
  EXPECT_EQ(RenderMessage("末尾 {", value), "末尾 {");
  EXPECT_EQ(RenderMessage("", value), "");
  // Values are inserted as they are, not rendered again.
  values["distance_m"] = "{radius_m}";
  EXPECT_EQ(RenderMessage("{distance_m}", value), "{radius_m}");
}

TEST(MessageCatalogue, EveryReasonHasAChineseAndAnEnglishMessage) {
  auto reasons = CatalogReasons();
  EXPECT_GE(reasons.size(), 60u);
  std::set<std::string_view> unique(reasons.begin(), reasons.end());
  EXPECT_EQ(unique.size(), reasons.size());
  for (std::string_view reason : reasons) {
    auto zh = ReasonMessage(reason, Locale::kZhCn);
    auto en = ReasonMessage(reason, Locale::kEn);
    ASSERT_TRUE(zh && en) << reason;
    EXPECT_FALSE(zh->empty()) << reason;
    EXPECT_FALSE(en->empty()) << reason;
    // The Chinese message is Chinese: it has a character outside ASCII.
    EXPECT_TRUE(std::any_of(zh->begin(), zh->end(), [](char c) { return (c & 0x80) != 0; }))
        << reason << ": " << *zh;
    EXPECT_NE(*zh, *en) << reason;
    EXPECT_FALSE(ReasonCode(reason).empty()) << reason;
  }
  EXPECT_FALSE(ReasonMessage("NO_SUCH_REASON", Locale::kZhCn).has_value());
  EXPECT_EQ(*ReasonMessage(reasons::kOutsideRadius, Locale::kZhCn),
            "您距会场 {distance_m} 米，超出了 {radius_m} 米的签到范围。");
  EXPECT_EQ(ReasonCode(reasons::kOutsideRadius), "FAILED_PRECONDITION");
  // Every non-OK code has a generic message in both languages, with and without a field.
  for (int c = 1; c <= 16; ++c) {
    auto code = static_cast<absl::StatusCode>(c);
    for (bool with_field : {false, true}) {
      EXPECT_FALSE(StatusMessage(code, with_field, Locale::kZhCn).empty()) << c;
      EXPECT_FALSE(StatusMessage(code, with_field, Locale::kEn).empty()) << c;
    }
  }
  EXPECT_EQ(StatusMessage(absl::StatusCode::kInvalidArgument, true, Locale::kZhCn),
            "请求中的 {field} 有误。");
}

TEST(Refusal, CarriesErrorInfoBadRequestAndTheEnglishMessage) {
  absl::Status status = Refusal(absl::StatusCode::kFailedPrecondition, reasons::kOutsideRadius,
                                "location", {{"distance_m", "312"}, {"radius_m", "200"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "location: You are 312 m from the meeting place, outside its 200 m check-in radius.");
  EXPECT_EQ(ReasonOf(status), "OUTSIDE_RADIUS");
  grpc::Status wire = ToGrpcStatus(status);
  auto details = DetailsOf(wire);
  EXPECT_EQ(details.domain, "branchline.v1");
  EXPECT_EQ(details.reason, "OUTSIDE_RADIUS");
  EXPECT_EQ(details.metadata.at("distance_m"), "312");
  EXPECT_EQ(details.metadata.at("radius_m"), "200");
  EXPECT_EQ(details.field, "location");
  EXPECT_EQ(details.localized_messages, 0);  // added by the transport, in the caller's language

  // Without a field: no BadRequest, the bare message.
  absl::Status plain = Refusal(absl::StatusCode::kUnauthenticated, reasons::kWrongCredentials);
  EXPECT_EQ(plain.message(), "Wrong login or password.");
  EXPECT_EQ(DetailsOf(ToGrpcStatus(plain)).field, "");
  // A developer description of the caller's own replaces the catalogue's English.
  absl::Status described = DescribedRefusal(absl::StatusCode::kAborted, reasons::kStaleVersion,
                                            "expected_version", "is 3 but the record is at 4");
  EXPECT_EQ(described.message(), "expected_version: is 3 but the record is at 4");
  EXPECT_EQ(ReasonOf(described), "STALE_VERSION");
  EXPECT_EQ(ReasonOf(absl::NotFoundError("x")), "");
}

TEST(LocalizeStatus, AddsTheCallersLanguageRenderedFromTheMetadata) {
  grpc::Status wire =
      ToGrpcStatus(Refusal(absl::StatusCode::kFailedPrecondition, reasons::kOutsideRadius,
                           "location", {{"distance_m", "312"}, {"radius_m", "200"}}));
  auto zh = DetailsOf(LocalizeStatus(wire, ""));
  EXPECT_EQ(zh.locale, "zh-CN");
  EXPECT_EQ(zh.message, "您距会场 312 米，超出了 200 米的签到范围。");
  EXPECT_EQ(zh.reason, "OUTSIDE_RADIUS");  // the other details stay
  EXPECT_EQ(zh.field, "location");
  auto en = DetailsOf(LocalizeStatus(wire, "en-US,en;q=0.9"));
  EXPECT_EQ(en.locale, "en");
  EXPECT_EQ(en.message, "You are 312 m from the meeting place, outside its 200 m check-in radius.");
  // Localizing twice keeps one LocalizedMessage, in the last language.
  auto twice = DetailsOf(LocalizeStatus(LocalizeStatus(wire, "zh"), "en"));
  EXPECT_EQ(twice.localized_messages, 1);
  EXPECT_EQ(twice.locale, "en");
  // Code and developer message are unchanged.
  grpc::Status localized = LocalizeStatus(wire, "en");
  EXPECT_EQ(localized.error_code(), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(localized.error_message(), wire.error_message());
  // A metadata value the message needs but the refusal lacks shows as its placeholder.
  grpc::Status missing =
      ToGrpcStatus(Refusal(absl::StatusCode::kFailedPrecondition, reasons::kOutsideRadius,
                           "location", {{"distance_m", "312"}}));
  EXPECT_EQ(DetailsOf(LocalizeStatus(missing, "zh-CN")).message,
            "您距会场 312 米，超出了 {radius_m} 米的签到范围。");
}

TEST(LocalizeStatus, RefusalsWithoutAReasonGetTheGenericMessageOfTheirCode) {
  auto field = DetailsOf(LocalizeStatus(ToGrpcStatus(InvalidField("person.phone", "is bad")), ""));
  EXPECT_EQ(field.message, "请求中的 person.phone 有误。");
  EXPECT_EQ(field.reason, "");
  auto en = DetailsOf(LocalizeStatus(ToGrpcStatus(InvalidField("person.phone", "is bad")), "en"));
  EXPECT_EQ(en.message, "The request's person.phone is invalid.");
  auto denied = DetailsOf(LocalizeStatus(ToGrpcStatus(Denied("reading letter 7")), "zh-CN"));
  EXPECT_EQ(denied.message, "您没有权限进行此操作。");
  // A status with no details at all (gRPC's own, UnparseableRequest) gets some.
  auto bare = DetailsOf(LocalizeStatus(grpc::Status(grpc::UNAVAILABLE, "down"), ""));
  EXPECT_TRUE(bare.parsed);
  EXPECT_EQ(bare.message, "服务器暂时不可用，请稍后再试。");
  auto unparseable = DetailsOf(LocalizeStatus(UnparseableRequest(), "en"));
  EXPECT_EQ(unparseable.message, "The request has an invalid value.");
  // A reason of another domain is not ours to translate: the generic message.
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(grpc::FAILED_PRECONDITION));
  google::rpc::ErrorInfo foreign;
  foreign.set_domain("example.com");
  foreign.set_reason("OUTSIDE_RADIUS");
  rpc.add_details()->PackFrom(foreign);
  auto other = DetailsOf(
      LocalizeStatus(grpc::Status(grpc::FAILED_PRECONDITION, "x", rpc.SerializeAsString()), ""));
  EXPECT_EQ(other.message, "当前状态下不能进行此操作。");
  EXPECT_TRUE(LocalizeStatus(grpc::Status::OK, "en").ok());
}

}  // namespace
}  // namespace branchline
