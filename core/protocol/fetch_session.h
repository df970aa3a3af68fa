#pragma once
// Fetch session (KIP-227) epochs, as both ends count them, and the fetcher's side of a session,
// shared by the follower (core/replication) and the consumer (core/client).

#include <cstdint>
#include <limits>

#include "core/protocol/error_codes.h"

namespace samsa {

// The epoch after `epoch`: 0 opens a session and -1 closes one, so the count wraps to 1.
inline int32_t NextFetchSessionEpoch(int32_t epoch) {
  return epoch == std::numeric_limits<int32_t>::max() ? 1 : epoch + 1;
}

// The leader no longer knows the session, or it is out of step: the fetcher starts a new one at
// once, without a backoff.
inline bool LostFetchSession(int16_t error_code) {
  return error_code == int16_t(ErrorCode::kFetchSessionIdNotFound) ||
         error_code == int16_t(ErrorCode::kInvalidFetchSessionEpoch);
}

// A fetcher's session with one leader: its id (0: none) and the epoch its next fetch carries (0
// opens a new session).
struct FetcherSession {
  int32_t id = 0;
  int32_t epoch = 0;

  // The answer to a fetch sent at sent_epoch: the session goes on with the next epoch; an error,
  // or an answer without a session, starts a new one (closing this one, unless the leader does
  // not know it).
  void OnAnswer(int16_t error_code, int32_t session_id, int32_t sent_epoch) {
    if (error_code == 0 && session_id != 0) {
      id = session_id;
      epoch = NextFetchSessionEpoch(sent_epoch);
      return;
    }
    if (error_code == 0 || error_code == int16_t(ErrorCode::kFetchSessionIdNotFound)) id = 0;
    epoch = 0;
  }
};

}  // namespace samsa
