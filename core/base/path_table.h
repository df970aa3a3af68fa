#pragma once
// PathTable<V>: a hash map from short strings (file paths) to a small value, for MemDisk's path
// lookups, which run on every read and append.
//
// Open addressing with linear probing; each entry holds its key inline with the key's hash, so a
// lookup usually touches one entry and nothing else (a node-based map would also chase its node
// and the key's heap buffer). Keys longer than kMaxInlineKey live in an ordinary map instead.
// Deletion shifts later entries back (no tombstones). Not for untrusted keys: the hash is cheap,
// not collision resistant.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace samsa {

template <typename V>
class PathTable {
 public:
  static constexpr size_t kMaxInlineKey = 110;

  // The value stored for key, or nullptr.
  V* Find(std::string_view key) {
    if (key.size() > kMaxInlineKey) {
      auto it = long_keys_.find(std::string(key));
      return it == long_keys_.end() ? nullptr : &it->second;
    }
    size_t i = SlotOf(key);
    return i == kNone ? nullptr : &slots_[i].value;
  }

  // Sets key's value (inserting or replacing).
  void Insert(std::string_view key, V value) {
    if (key.size() > kMaxInlineKey) {
      long_keys_[std::string(key)] = std::move(value);
      return;
    }
    if (V* existing = Find(key)) {
      *existing = std::move(value);
      return;
    }
    if ((inline_size_ + 1) * 2 > slots_.size()) Grow();
    uint64_t h = Hash(key);
    size_t i = h & mask_;
    while (slots_[i].used) i = (i + 1) & mask_;
    Slot& s = slots_[i];
    s.used = true;
    s.hash = h;
    s.len = uint8_t(key.size());
    std::memcpy(s.key, key.data(), key.size());
    s.value = std::move(value);
    ++inline_size_;
  }

  // Removes key; false when it was absent.
  bool Erase(std::string_view key) {
    if (key.size() > kMaxInlineKey) return long_keys_.erase(std::string(key)) > 0;
    size_t i = SlotOf(key);
    if (i == kNone) return false;
    // Backward shift: move later entries of the probe run into the hole when their home slot is
    // not cyclically in (hole, their slot].
    for (size_t j = i;;) {
      j = (j + 1) & mask_;
      if (!slots_[j].used) break;
      size_t home = slots_[j].hash & mask_;
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!stays) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i].used = false;
    --inline_size_;
    return true;
  }

  void Clear() {
    slots_.clear();
    mask_ = 0;
    inline_size_ = 0;
    long_keys_.clear();
  }

  size_t size() const { return inline_size_ + long_keys_.size(); }

 private:
  struct Slot {
    uint64_t hash = 0;
    V value{};
    bool used = false;
    uint8_t len = 0;
    char key[kMaxInlineKey];
  };

  static constexpr size_t kNone = SIZE_MAX;

  // The slot holding key (short enough to be inline), or kNone.
  size_t SlotOf(std::string_view key) const {
    if (slots_.empty()) return kNone;
    uint64_t h = Hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (!s.used) return kNone;
      if (s.hash == h && s.len == key.size() && std::memcmp(s.key, key.data(), key.size()) == 0) return i;
    }
  }

  // A multiply-xor hash over 8-byte words: cheap for keys of a few dozen bytes.
  static uint64_t Hash(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ULL ^ s.size();
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      h = (h ^ w) * 0x100000001b3ULL;
      h ^= h >> 29;
    }
    uint64_t w = 0;
    if (i < s.size()) std::memcpy(&w, s.data() + i, s.size() - i);
    h = (h ^ w) * 0x100000001b3ULL;
    return h ^ (h >> 32);
  }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot());
    mask_ = slots_.size() - 1;
    for (Slot& s : old) {
      if (!s.used) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].used) i = (i + 1) & mask_;
      slots_[i] = std::move(s);
    }
  }

  std::vector<Slot> slots_;  // capacity a power of two, at most half full
  size_t mask_ = 0;
  size_t inline_size_ = 0;
  std::unordered_map<std::string, V> long_keys_;
};

}  // namespace samsa
