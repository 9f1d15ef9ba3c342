// The names and limits of the wire JSON shared by the codec's decode and encode sides.
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace event_names {

inline constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;  // Number.MAX_SAFE_INTEGER
inline constexpr int kMaxDepth = 32;  // the most arrays and objects a member of extra may nest (MAX_JSON_DEPTH)
inline const std::string kCompletedType = "response.image_generation_call.completed";
inline const std::string kPartialType = "response.image_generation_call.partial_image";
// The envelope's event field numbers 1-4 and their `type`.
inline const std::string kTypes[] = {"", "response.image_generation_call.in_progress",
                                     "response.image_generation_call.generating", kPartialType, kCompletedType};
// Members that are not in extra, and the SDK's spellings of them, refused in wire JSON.
inline const std::set<std::string> kKnown = {"type",   "item_id",     "output_index",  "sequence_number",
                                             "itemId", "outputIndex", "sequenceNumber"};
inline const std::set<std::string> kSdkSpellings = {"itemId", "outputIndex", "sequenceNumber"};
// A partial image's own members, and their SDK spellings.
inline const std::set<std::string> kPartialKnown = {"partial_image_b64", "partial_image_index", "partialImageB64",
                                                    "partialImageIndex"};
inline const std::set<std::string> kPartialSdkSpellings = {"partialImageB64", "partialImageIndex"};

}  // namespace event_names
