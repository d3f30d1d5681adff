#pragma once

#include <vector>

#include "google/protobuf/descriptor.h"

namespace branchline::testing {

// Every service of the API, read from the generated descriptor pool for each .proto file of
// proto/branchline/v1 on disk (so a new file counts at once). A file on disk that is not
// linked into the tests fails the calling test: add one of its messages to api_services.cc.
std::vector<const google::protobuf::ServiceDescriptor*> ApiServices();

}  // namespace branchline::testing
