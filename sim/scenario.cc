#include "sim/scenario.h"

#include <fmt/core.h>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>
#include <set>

#include "core/config/properties.h"
#include "core/record/compression.h"

namespace samsa::sim {

namespace {

constexpr int64_t kNsPerMs = 1'000'000;
constexpr int64_t kMaxDurationNs = int64_t(1'000'000) * 86'400 * 1'000'000;  // 1000 days

// History anomalies (sim/history_checker.h) and runtime invariants (sim/samsa_cluster_factory.h).
const char* const kViolationKinds[] = {
    "acked-lost",        "acked-uncommitted",
    "duplicate",         "hw-above-leo",       "hw-regression",       "inconsistent-offsets",
    "liveness",          "lost-write",         "metadata-divergence", "multiple-leaders",
    "nonmonotonic-poll", "nonmonotonic-send",  "phantom-read",        "poll-skip",
    "read-beyond-hw",    "replica-divergence", "unseen",
};

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Levenshtein distance, for "did you mean".
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string Suggest(std::string_view word, const std::vector<std::string>& names) {
  std::string best;
  size_t best_d = std::min<size_t>(4, std::max<size_t>(2, word.size() / 3 + 1));  // short words: near misses only
  for (const auto& n : names) {
    size_t d = EditDistance(word, n);
    if (d < best_d) best_d = d, best = n;
  }
  return best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best);
}

bool ValidTopicName(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

std::optional<FaultKind> FaultKindFromName(std::string_view name) {
  for (int k = 0; k <= int(FaultKind::kBitFlip); ++k)
    if (FaultKindName(FaultKind(k)) == name) return FaultKind(k);
  return std::nullopt;
}

struct Field {
  YAML::Node key;
  YAML::Node value;
};

// The parser: collects every error it finds.
class Parser {
 public:
  explicit Parser(std::string_view file) : file_(file) {}

  Result<Scenario> Run(std::string_view text);
  Result<FaultStep> RunEntry(std::string_view text, const Scenario& context);

 private:
  // Checks the topics, partitions and nodes the parsed sections referred to.
  void CheckReferences();
  // A consumer's `from` (earliest, latest or an offset) and `partitions` (all, or a list).
  void ConsumerFrom(const YAML::Node& n, const std::string& path, ConsumerSpec* c);
  void ConsumerPartitions(const YAML::Node& n, const std::string& path, ConsumerSpec* c);
  static SourceMark MarkOf(const YAML::Node& n) {
    if (!n.IsDefined()) return {};
    YAML::Mark m = n.Mark();
    if (m.line < 0) return {};
    return {m.line + 1, m.column + 1};
  }
  void ErrorAt(SourceMark m, std::string_view path, std::string_view reason) {
    errors_.push_back({m, fmt::format("{}:{}:{}: {}: {}", file_, m.line, m.column, path, reason)});
  }
  // Every error, in file order.
  Status Failure() {
    std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
      return std::pair(a.first.line, a.first.column) < std::pair(b.first.line, b.first.column);
    });
    std::vector<std::string> lines;
    for (auto& [mark, text] : errors_) lines.push_back(std::move(text));
    return Status::InvalidArgument(Join(lines, "\n"));
  }
  void Error(const YAML::Node& n, std::string_view path, std::string_view reason) {
    ErrorAt(MarkOf(n), path, reason);
  }
  static std::string Sub(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
  }
  static std::string Idx(std::string_view path, size_t i) { return fmt::format("{}[{}]", path, i); }

  // A map's fields (checked against `allowed`; unknown and duplicate keys are errors). Returns
  // false (after reporting) when n is not a map.
  bool Fields(const YAML::Node& n, std::string_view path, const std::vector<std::string>& allowed,
              std::map<std::string, Field>* out);
  bool IsSeq(const YAML::Node& n, std::string_view path) {
    if (n.IsSequence()) return true;
    Error(n, path, "expected a list");
    return false;
  }
  std::optional<std::string> String(const YAML::Node& n, std::string_view path);
  std::optional<int64_t> Int(const YAML::Node& n, std::string_view path, int64_t min, int64_t max);
  std::optional<bool> Bool(const YAML::Node& n, std::string_view path);
  std::optional<int64_t> Duration(const YAML::Node& n, std::string_view path, bool allow_negative = false);
  std::optional<FaultTarget> Target(const YAML::Node& n, std::string_view path);
  std::optional<PartitionRef> Partition(const YAML::Node& n, std::string_view path);
  // A config map of `scope` (cluster.config, topics[].config), checked against the property
  // registry (core/config/properties.h).
  void Config(const YAML::Node& n, std::string_view path, config::Scope scope, std::map<std::string, std::string>* out);
  // A producer's or consumer's keys: the workload's own plus the registry's client properties.
  static std::vector<std::string> ClientKeys(config::Scope scope, std::vector<std::string> workload_keys);
  // Errors for the registry's refused client properties among `fields`.
  void RefuseUnsupported(std::map<std::string, Field>& fields, std::string_view path, config::Scope scope);

  void ParseCluster(const YAML::Node& n);
  void ParseNetwork(const YAML::Node& n);
  void ParseDisk(const YAML::Node& n);
  void ParseTopics(const YAML::Node& n);
  void ParseWorkload(const YAML::Node& n);
  void ParseFaults(const YAML::Node& n);
  void ParseNemesis(const YAML::Node& n);
  void ParseCaptions(const YAML::Node& n);
  void ParseExpect(const YAML::Node& n);
  void ParseExpectation(const YAML::Node& n, std::string_view path);

  // Context checks, run once the whole file is read.
  void CheckNode(int32_t id, SourceMark m, std::string_view path);
  void CheckPartition(const PartitionRef& p, SourceMark m, std::string_view path);
  void CheckTarget(const FaultTarget& t, SourceMark m, std::string_view path);
  void CheckTime(int64_t t_ns, int64_t limit_ns, SourceMark m, std::string_view path, std::string_view limit_name);
  void Validate();

  std::string file_;
  std::vector<std::pair<SourceMark, std::string>> errors_;
  Scenario s_;
  // Deferred context checks (the file's sections may come in any order).
  struct PendingPartition {
    PartitionRef ref;
    SourceMark mark;
    std::string path;
  };
  struct PendingTarget {
    FaultTarget target;
    SourceMark mark;
    std::string path;
  };
  struct PendingTime {
    int64_t t_ns;
    bool include_settle;
    SourceMark mark;
    std::string path;
  };
  std::vector<PendingPartition> partitions_;
  std::vector<PendingTarget> targets_;
  std::vector<PendingTime> times_;
  std::vector<PendingTime> rfs_;  // replication factors (t_ns holds the factor), checked in Validate
  std::vector<std::pair<std::string, std::pair<SourceMark, std::string>>> topic_refs_;
  SourceMark brokers_mark_, controllers_mark_, kind_mark_, workload_mark_;
  bool has_run_for_ = false;
  int32_t added_consumers_ = 0;  // RunEntry: add-consumer entries of the context scenario
  SourceMark nemesis_until_mark_;
};

bool Parser::Fields(const YAML::Node& n, std::string_view path, const std::vector<std::string>& allowed,
                    std::map<std::string, Field>* out) {
  if (!n.IsMap()) {
    Error(n, path.empty() ? "(top level)" : path, "expected a map of key: value");
    return false;
  }
  for (auto it = n.begin(); it != n.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      Error(key, path.empty() ? "(top level)" : path, "keys must be plain words");
      continue;
    }
    std::string k = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      std::string hint = Suggest(k, allowed);
      Error(key, Sub(path, k), hint.empty() ? fmt::format("unknown key '{}'; expected one of: {}", k, Join(allowed, ", "))
                                            : fmt::format("unknown key '{}'{}", k, hint));
      continue;
    }
    if (out->count(k)) {
      Error(key, Sub(path, k), "duplicate key");
      continue;
    }
    (*out)[k] = Field{key, it->second};
  }
  return true;
}

std::optional<std::string> Parser::String(const YAML::Node& n, std::string_view path) {
  if (!n.IsScalar()) {
    Error(n, path, "expected a string");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<int64_t> Parser::Int(const YAML::Node& n, std::string_view path, int64_t min, int64_t max) {
  int64_t v = 0;
  if (!n.IsScalar() || !ParseInt64(n.Scalar(), &v)) {
    Error(n, path, n.IsScalar() ? fmt::format("expected an integer, got '{}'", n.Scalar()) : "expected an integer");
    return std::nullopt;
  }
  if (v < min || v > max) {
    Error(n, path, fmt::format("{} is out of range [{}, {}]", v, min, max));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> Parser::Bool(const YAML::Node& n, std::string_view path) {
  if (n.IsScalar() && (n.Scalar() == "true" || n.Scalar() == "false")) return n.Scalar() == "true";
  Error(n, path, n.IsScalar() ? fmt::format("expected true or false, got '{}'", n.Scalar()) : "expected true or false");
  return std::nullopt;
}

std::optional<int64_t> Parser::Duration(const YAML::Node& n, std::string_view path, bool allow_negative) {
  if (!n.IsScalar()) {
    Error(n, path, "expected a duration such as 250ms, 10s, 2m (a bare integer means milliseconds)");
    return std::nullopt;
  }
  auto d = ParseDurationNs(n.Scalar(), allow_negative);
  if (!d.ok()) {
    Error(n, path, d.status().message());
    return std::nullopt;
  }
  return *d;
}

std::optional<PartitionRef> Parser::Partition(const YAML::Node& n, std::string_view path) {
  auto s = String(n, path);
  if (!s) return std::nullopt;
  size_t dash = s->rfind('-');
  int64_t p = 0;
  if (dash == std::string::npos || dash == 0 || !ParseInt64(std::string_view(*s).substr(dash + 1), &p) || p < 0 ||
      p > 1'000'000) {
    Error(n, path, fmt::format("expected a partition as topic-N (e.g. orders-0), got '{}'", *s));
    return std::nullopt;
  }
  PartitionRef ref{s->substr(0, dash), int32_t(p)};
  partitions_.push_back({ref, MarkOf(n), std::string(path)});
  return ref;
}

std::optional<FaultTarget> Parser::Target(const YAML::Node& n, std::string_view path) {
  if (!n.IsScalar()) {
    Error(n, path, "expected a target (a node id, broker-N, leader-of TOPIC-N, followers-of TOPIC-N, follower-of TOPIC-N, "
                   "isr-of TOPIC-N, producer-N, consumer-N, leaders, controller, all, minority, majority, majority-ring, "
                   "bridge, random)");
    return std::nullopt;
  }
  auto t = ParseTarget(n.Scalar());
  if (!t.ok()) {
    Error(n, path, t.status().message());
    return std::nullopt;
  }
  targets_.push_back({*t, MarkOf(n), std::string(path)});
  if (t->kind == FaultTarget::Kind::kLeaderOf || t->kind == FaultTarget::Kind::kFollowersOf ||
      t->kind == FaultTarget::Kind::kIsrOf || t->kind == FaultTarget::Kind::kFollowerOf)
    partitions_.push_back({t->partition, MarkOf(n), std::string(path)});
  return *t;
}

void Parser::Config(const YAML::Node& n, std::string_view path, config::Scope scope,
                    std::map<std::string, std::string>* out) {
  const std::vector<std::string>& names = scope == config::Scope::kBroker ? BrokerConfigNames() : TopicConfigNames();
  if (!n.IsMap()) {
    std::map<std::string, Field> none;
    Fields(n, path, names, &none);  // its "expected a map" error
    return;
  }
  // Every name the registry lists is recognised here, refused ones included, so that they get
  // their reason rather than "unknown key"; `names` (the settable ones) feed "did you mean".
  for (auto it = n.begin(); it != n.end(); ++it) {
    const YAML::Node key = it->first;
    const YAML::Node value = it->second;
    if (!key.IsScalar()) {
      Error(key, path, "keys must be plain words");
      continue;
    }
    const std::string k = key.Scalar();
    const std::string p = Sub(path, k);
    const config::Property* def = config::Find(scope, k);
    if (def == nullptr) {
      std::string hint = Suggest(k, names);
      Error(key, p, hint.empty() ? fmt::format("unknown {} property '{}'; see the properties table in scenarios/README.md",
                                               config::ScopeName(scope), k)
                                 : fmt::format("unknown {} property '{}'{}", config::ScopeName(scope), k, hint));
      continue;
    }
    if (!def->refused.empty()) {
      Error(key, p, fmt::format("'{}' is not supported by samsa yet: {}", k, def->refused));
      continue;
    }
    if (def->per_node) {
      Error(key, p, fmt::format("'{}' is set by the simulator for each node (from cluster.brokers and cluster.controllers)", k));
      continue;
    }
    if (out->count(k)) {
      Error(key, p, "given twice");
      continue;
    }
    std::optional<std::string> text;
    if (def->type == config::Type::kMs) {
      // A duration ("5s", "250ms", a bare number of milliseconds) or -1 where the range allows it.
      if (value.IsScalar() && value.Scalar() == "-1" && def->min <= -1) {
        text = "-1";
      } else if (auto d = Duration(value, p)) {
        if (*d % kNsPerMs != 0) Error(value, p, "must be a whole number of milliseconds");
        else text = std::to_string(*d / kNsPerMs);
      }
    } else if (def->type == config::Type::kBool) {
      if (auto v = Bool(value, p)) text = *v ? "true" : "false";
    } else {
      text = String(value, p);
    }
    if (!text) continue;
    if (std::string why = config::Check(*def, *text); !why.empty()) {
      Error(value, p, why);
      continue;
    }
    (*out)[k] = config::Canonical(*def, *text);
  }
}

std::vector<std::string> Parser::ClientKeys(config::Scope scope, std::vector<std::string> workload_keys) {
  for (const config::Property& p : config::All())
    if (p.scope == scope) workload_keys.emplace_back(p.name);
  return workload_keys;
}

void Parser::RefuseUnsupported(std::map<std::string, Field>& fields, std::string_view path, config::Scope scope) {
  for (auto& [k, f] : fields)
    if (const config::Property* p = config::Find(scope, k); p != nullptr && !p->refused.empty())
      Error(f.key, Sub(path, k), fmt::format("'{}' is not supported by samsa yet: {}", k, p->refused));
}

void Parser::ParseCluster(const YAML::Node& n) {
  std::map<std::string, Field> f;
  if (!Fields(n, "cluster", {"kind", "brokers", "controllers", "controller_only", "config"}, &f)) return;
  if (f.count("kind")) {
    kind_mark_ = MarkOf(f["kind"].value);
    if (auto k = String(f["kind"].value, "cluster.kind")) {
      if (*k != "samsa" && *k != "toy")
        Error(f["kind"].value, "cluster.kind", fmt::format("unknown cluster kind '{}'; expected samsa or toy", *k));
      else
        s_.cluster.kind = *k;
    }
  }
  if (f.count("brokers")) {
    brokers_mark_ = MarkOf(f["brokers"].value);
    if (auto b = Int(f["brokers"].value, "cluster.brokers", 1, 64)) s_.cluster.brokers = int32_t(*b);
  } else {
    brokers_mark_ = MarkOf(n);
  }
  auto ids = [&](const char* key, std::vector<int32_t>* out) {
    if (!f.count(key)) return;
    std::string path = Sub("cluster", key);
    const YAML::Node& v = f[key].value;
    if (!IsSeq(v, path)) return;
    std::set<int32_t> seen;
    for (size_t i = 0; i < v.size(); ++i) {
      auto id = Int(v[i], Idx(path, i), 1, kFirstClientId - 1);
      if (!id) continue;
      if (!seen.insert(int32_t(*id)).second) Error(v[i], Idx(path, i), fmt::format("node {} listed twice", *id));
      out->push_back(int32_t(*id));
    }
  };
  ids("controller_only", &s_.cluster.controller_only);
  ids("controllers", &s_.cluster.controllers);
  controllers_mark_ = f.count("controllers") ? MarkOf(f["controllers"].value) : MarkOf(n);
  if (f.count("config")) Config(f["config"].value, "cluster.config", config::Scope::kBroker, &s_.cluster.config);
}

void Parser::ParseNetwork(const YAML::Node& n) {
  std::map<std::string, Field> f;
  if (!Fields(n, "network", {"latency"}, &f)) return;
  if (!f.count("latency")) return;
  const YAML::Node& v = f["latency"].value;
  if (!v.IsScalar()) {
    Error(v, "network.latency", "expected a latency such as 2ms or a range 1ms..3ms");
    return;
  }
  std::string text = v.Scalar();
  size_t dots = text.find("..");
  std::string lo = dots == std::string::npos ? text : text.substr(0, dots);
  std::string hi = dots == std::string::npos ? text : text.substr(dots + 2);
  auto a = ParseDurationNs(lo), b = ParseDurationNs(hi);
  if (!a.ok() || !b.ok()) {
    Error(v, "network.latency", (!a.ok() ? a : b).status().message());
  } else if (*a > *b) {
    Error(v, "network.latency", fmt::format("range {}..{} goes backwards", lo, hi));
  } else if (*b > 10'000 * kNsPerMs) {
    Error(v, "network.latency", "latency above 10s is not a network, it is a partition");
  } else if (*a < kMinNetworkLatencyNs) {
    // With none, a request answered at once (a follower's fetch with replica.fetch.wait.max.ms: 0)
    // comes back at the same instant, and the next one too: simulated time would stop.
    Error(v, "network.latency",
          fmt::format("latency below {} is not a network (a LAN round trip takes 50us to 500us); with 0, "
                      "requests answered at once would loop without simulated time passing",
                      FormatDuration(kMinNetworkLatencyNs)));
  } else {
    s_.latency_min_ns = *a;
    s_.latency_max_ns = *b;
  }
}

void Parser::ParseDisk(const YAML::Node& n) {
  std::map<std::string, Field> f;
  if (!Fields(n, "disk", {"writeback"}, &f)) return;
  if (!f.count("writeback")) return;
  const YAML::Node& v = f["writeback"].value;
  if (v.IsScalar() && v.Scalar() == "off") {
    s_.disk_writeback_ns = 0;
    return;
  }
  if (!v.IsScalar()) {
    Error(v, "disk.writeback", "expected a duration such as 5s, or off");
    return;
  }
  auto d = Duration(v, "disk.writeback");
  if (!d) return;
  if (*d != 0 && *d < kNsPerMs)
    Error(v, "disk.writeback", "must be 0 (off) or at least 1ms");
  else
    s_.disk_writeback_ns = *d;
}

void Parser::ParseTopics(const YAML::Node& n) {
  if (!IsSeq(n, "topics")) return;
  std::set<std::string> names;
  for (size_t i = 0; i < n.size(); ++i) {
    std::string path = Idx("topics", i);
    std::map<std::string, Field> f;
    if (!Fields(n[i], path, {"name", "partitions", "replication.factor", "config"}, &f)) continue;
    TopicSpec t;
    t.partitions = -1;
    t.replication_factor = -1;
    if (!f.count("name")) {
      Error(n[i], path, "missing key 'name'");
    } else if (auto name = String(f["name"].value, Sub(path, "name"))) {
      if (!ValidTopicName(*name))
        Error(f["name"].value, Sub(path, "name"), fmt::format("'{}' is not a legal Kafka topic name ([a-zA-Z0-9._-], at most 249)", *name));
      else if (!names.insert(*name).second)
        Error(f["name"].value, Sub(path, "name"), fmt::format("topic '{}' declared twice", *name));
      t.name = *name;
    }
    if (f.count("partitions"))
      if (auto p = Int(f["partitions"].value, Sub(path, "partitions"), 1, 10'000)) t.partitions = int32_t(*p);
    if (f.count("replication.factor")) {
      std::string rp = Sub(path, "replication.factor");
      if (auto r = Int(f["replication.factor"].value, rp, 1, 64)) {
        t.replication_factor = int32_t(*r);
        rfs_.push_back({*r, false, MarkOf(f["replication.factor"].value), rp});
      }
    }
    if (f.count("config")) Config(f["config"].value, Sub(path, "config"), config::Scope::kTopic, &t.config);
    s_.topics.push_back(std::move(t));
  }
}

void Parser::ParseWorkload(const YAML::Node& n) {
  std::map<std::string, Field> f;
  workload_mark_ = MarkOf(n);
  if (!Fields(n, "workload", {"producers", "consumers"}, &f)) return;
  auto topic_ref = [&](const YAML::Node& v, const std::string& path, std::string* out) {
    if (auto t = String(v, path)) {
      *out = *t;
      topic_refs_.push_back({*t, {MarkOf(v), path}});
    }
  };
  auto window = [&](std::map<std::string, Field>& g, const std::string& path, int64_t* start, int64_t* stop) {
    if (g.count("start"))
      if (auto d = Duration(g["start"].value, Sub(path, "start"))) {
        *start = *d;
        times_.push_back({*d, true, MarkOf(g["start"].value), Sub(path, "start")});
      }
    if (g.count("stop"))
      if (auto d = Duration(g["stop"].value, Sub(path, "stop"))) {
        *stop = *d;
        times_.push_back({*d, true, MarkOf(g["stop"].value), Sub(path, "stop")});
        if (*d <= *start) Error(g["stop"].value, Sub(path, "stop"), "stop must come after start");
      }
  };
  // socket.connection.setup.timeout.ms and .max.ms (producers and consumers).
  auto setup_timeouts = [&](std::map<std::string, Field>& g, const std::string& path, int64_t* base_ms,
                            int64_t* max_ms) {
    const char* kBase = "socket.connection.setup.timeout.ms";
    const char* kMax = "socket.connection.setup.timeout.max.ms";
    for (auto [key, out] : {std::pair{kBase, base_ms}, std::pair{kMax, max_ms}})
      if (g.count(key))
        if (auto d = Duration(g[key].value, Sub(path, key))) {
          if (*d < kNsPerMs) Error(g[key].value, Sub(path, key), "must be at least 1ms");
          else *out = *d / kNsPerMs;
        }
    if (*max_ms < *base_ms)
      Error(g.count(kMax) ? g[kMax].value : g[kBase].value, Sub(path, g.count(kMax) ? kMax : kBase),
            fmt::format("{} ({}) is below {} ({})", kMax, FormatDuration(*max_ms * kNsPerMs), kBase,
                        FormatDuration(*base_ms * kNsPerMs)));
  };
  if (f.count("producers") && IsSeq(f["producers"].value, "workload.producers")) {
    const YAML::Node& list = f["producers"].value;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string path = Idx("workload.producers", i);
      std::map<std::string, Field> g;
      if (!Fields(list[i], path,
                  ClientKeys(config::Scope::kProducer, {"topic", "rate_per_s", "keys", "value_bytes", "count", "start", "stop"}),
                  &g))
        continue;
      RefuseUnsupported(g, path, config::Scope::kProducer);
      ProducerSpec p;
      p.mark = MarkOf(list[i]);
      if (!g.count("topic")) Error(list[i], path, "missing key 'topic'");
      else topic_ref(g["topic"].value, Sub(path, "topic"), &p.topic);
      if (g.count("rate_per_s"))
        if (auto v = Int(g["rate_per_s"].value, Sub(path, "rate_per_s"), 1, 1'000'000)) p.rate_per_s = *v;
      if (g.count("keys")) {
        const YAML::Node& k = g["keys"].value;
        if (k.IsNull()) p.keys.reset();
        else if (auto v = Int(k, Sub(path, "keys"), 1, 1'000'000'000)) p.keys = *v;
      }
      if (g.count("acks")) {
        const YAML::Node& a = g["acks"].value;
        if (a.IsScalar() && (a.Scalar() == "all" || a.Scalar() == "-1")) p.acks = -1;
        else if (a.IsScalar() && a.Scalar() == "0") p.acks = 0;
        else if (a.IsScalar() && a.Scalar() == "1") p.acks = 1;
        else Error(a, Sub(path, "acks"), "expected 0, 1 or all");
      }
      auto ms = [&](const char* key, int64_t* out) {
        if (!g.count(key)) return;
        if (auto d = Duration(g[key].value, Sub(path, key))) *out = *d / kNsPerMs;
      };
      ms("linger.ms", &p.linger_ms);
      ms("retry.backoff.ms", &p.retry_backoff_ms);
      ms("retry.backoff.max.ms", &p.retry_backoff_max_ms);
      ms("request.timeout.ms", &p.request_timeout_ms);
      ms("delivery.timeout.ms", &p.delivery_timeout_ms);
      if (g.count("batch.size"))
        if (auto v = Int(g["batch.size"].value, Sub(path, "batch.size"), 0, 64 << 20)) p.batch_size = *v;
      if (g.count("retries"))
        if (auto v = Int(g["retries"].value, Sub(path, "retries"), 0, INT32_MAX)) p.retries = int32_t(*v);
      if (g.count("max.in.flight.requests.per.connection"))
        if (auto v = Int(g["max.in.flight.requests.per.connection"].value,
                         Sub(path, "max.in.flight.requests.per.connection"), 1, 1000))
          p.max_in_flight = int32_t(*v);
      setup_timeouts(g, path, &p.setup_timeout_ms, &p.setup_timeout_max_ms);
      if (g.count("enable.idempotence"))
        if (auto v = Bool(g["enable.idempotence"].value, Sub(path, "enable.idempotence"))) {
          if (*v)
            Error(g["enable.idempotence"].value, Sub(path, "enable.idempotence"),
                  config::Check(*config::Find(config::Scope::kProducer, "enable.idempotence"), "true") + "; use false");
        }
      if (g.count("compression.type"))
        if (auto v = String(g["compression.type"].value, Sub(path, "compression.type"))) {
          if (std::optional<CompressionCodec> codec = CompressionCodecFromName(*v))
            p.compression = *codec;
          else
            Error(g["compression.type"].value, Sub(path, "compression.type"), fmt::format("'{}' is not one of: none, gzip, snappy, lz4, zstd", *v));
        }
      if (g.count("value_bytes"))
        if (auto v = Int(g["value_bytes"].value, Sub(path, "value_bytes"), 1, 1 << 20)) p.value_bytes = *v;
      if (g.count("count"))
        if (auto v = Int(g["count"].value, Sub(path, "count"), 1, 100)) p.count = int32_t(*v);
      window(g, path, &p.start_ns, &p.stop_ns);
      s_.producers.push_back(std::move(p));
    }
  }
  if (f.count("consumers") && IsSeq(f["consumers"].value, "workload.consumers")) {
    const YAML::Node& list = f["consumers"].value;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string path = Idx("workload.consumers", i);
      std::map<std::string, Field> g;
      if (!Fields(list[i], path,
                  ClientKeys(config::Scope::kConsumer, {"topic", "partitions", "group", "from", "count", "members", "start", "stop"}),
                  &g))
        continue;
      RefuseUnsupported(g, path, config::Scope::kConsumer);
      ConsumerSpec c;
      c.mark = MarkOf(list[i]);
      if (!g.count("topic")) Error(list[i], path, "missing key 'topic'");
      else topic_ref(g["topic"].value, Sub(path, "topic"), &c.topic);
      if (g.count("partitions")) ConsumerPartitions(g["partitions"].value, Sub(path, "partitions"), &c);
      if (g.count("group"))
        if (String(g["group"].value, Sub(path, "group")))
          Error(g["group"].value, Sub(path, "group"),
                "consumer groups are not simulated yet: consumers read assigned partitions (leave out group)");
      if (g.count("from")) ConsumerFrom(g["from"].value, Sub(path, "from"), &c);
      setup_timeouts(g, path, &c.setup_timeout_ms, &c.setup_timeout_max_ms);
      if (g.count("count") && g.count("members")) Error(g["members"].key, Sub(path, "members"), "give count or members, not both");
      for (const char* key : {"count", "members"})
        if (g.count(key))
          if (auto v = Int(g[key].value, Sub(path, key), 1, 100)) c.count = int32_t(*v);
      window(g, path, &c.start_ns, &c.stop_ns);
      s_.consumers.push_back(std::move(c));
    }
  }
}

void Parser::ParseFaults(const YAML::Node& n) {
  if (!IsSeq(n, "faults")) return;
  const std::vector<std::pair<std::string, FaultType>> types = {
      {"crash", FaultType::kCrash},         {"restart", FaultType::kRestart},    {"pause", FaultType::kPause},
      {"resume", FaultType::kResume},       {"partition", FaultType::kPartition}, {"heal", FaultType::kHeal},
      {"isolate", FaultType::kIsolate},     {"clog", FaultType::kClog},          {"latency", FaultType::kLatency},
      {"slow-disk", FaultType::kSlowDisk},  {"disk-full", FaultType::kDiskFull}, {"bit-flip", FaultType::kBitFlip},
      {"clock-skew", FaultType::kClockSkew}, {"set-rate", FaultType::kSetRate},
      {"add-consumer", FaultType::kAddConsumer}, {"remove-consumer", FaultType::kRemoveConsumer},
      {"shutdown", FaultType::kShutdown},   {"one-way", FaultType::kOneWay},     {"reset", FaultType::kReset},
      {"clock-drift", FaultType::kClockDrift}, {"disk-errors", FaultType::kDiskErrors}};
  std::vector<std::string> allowed = {"at", "for", "caption", "amount", "file", "at_event", "rate", "from", "partitions"};
  std::vector<std::string> type_names;
  for (const auto& [name, t] : types) allowed.push_back(name), type_names.push_back(name);
  for (size_t i = 0; i < n.size(); ++i) {
    std::string path = Idx("faults", i);
    std::map<std::string, Field> f;
    if (!Fields(n[i], path, allowed, &f)) continue;
    FaultStep step;
    step.mark = MarkOf(n[i]);
    int found = 0;
    // With bit-flip, `partition` aims the flip at one partition's files (it is no second fault).
    const bool flip_partition = f.count("bit-flip") && f.count("partition");
    for (const auto& [name, t] : types)
      if (f.count(name) && !(flip_partition && name == "partition")) {
        if (found++ == 0) {
          step.type = t;
          std::string tp = Sub(path, name);
          if (t == FaultType::kSetRate || t == FaultType::kRemoveConsumer) {
            // A client id (producers, then consumers, from 1001 in file order; added consumers
            // after them): checked against the workload in Validate.
            if (auto v = Int(f[name].value, tp, kFirstClientId, kFirstClientId + 100'000)) {
              step.target.kind = FaultTarget::Kind::kNode;
              step.target.node_id = int32_t(*v);
            }
          } else if (t == FaultType::kAddConsumer) {
            ConsumerSpec c;
            c.mark = MarkOf(n[i]);
            if (auto topic = String(f[name].value, tp)) {
              c.topic = *topic;
              topic_refs_.push_back({*topic, {MarkOf(f[name].value), tp}});
            }
            step.consumer = std::move(c);
          } else if (t == FaultType::kHeal) {
            const YAML::Node& v = f[name].value;
            if (!(v.IsNull() || (v.IsScalar() && v.Scalar() == "all")))
              Error(v, tp, "heal takes no target but 'all' (it heals every network fault)");
          } else if (auto target = Target(f[name].value, tp)) {
            step.target = *target;
            using K = FaultTarget::Kind;
            bool shape = target->kind == K::kMajorityRing || target->kind == K::kBridge;
            if (t == FaultType::kShutdown && target->kind == K::kAll)
              Error(f[name].value, tp, "shutdown of every broker at once leaves nobody to hand leaderships to; name brokers");
            if (shape && t != FaultType::kPartition)
              Error(f[name].value, tp, fmt::format("'{}' is a partition shape; {} needs nodes", target->ToString(), name));
            const bool client = target->kind == K::kClient;
            if (client && t != FaultType::kCrash && t != FaultType::kPause && t != FaultType::kRestart &&
                t != FaultType::kResume)
              Error(f[name].value, tp,
                    fmt::format("'{}' is a client: {} applies to brokers (a client can only crash, pause, restart "
                                "or resume)",
                                target->ToString(), name));
            bool fixed = target->kind == K::kNode || target->kind == K::kNodes || target->kind == K::kAll || client;
            if ((t == FaultType::kRestart || t == FaultType::kResume) && !fixed)
              Error(f[name].value, tp,
                    fmt::format("{} needs a fixed target (a node or all); '{}' may name a different node by then — "
                                "give the {} a `for:` instead",
                                name, target->ToString(), t == FaultType::kRestart ? "crash" : "pause"));
          }
        } else {
          Error(f[name].key, Sub(path, name), "one fault per entry (this entry already has one)");
        }
      }
    if (found == 0) {
      Error(n[i], path, fmt::format("missing the fault: one of {}", Join(type_names, ", ")));
      continue;
    }
    if (!f.count("at")) {
      Error(n[i], path, "missing key 'at'");
    } else if (auto at = Duration(f["at"].value, Sub(path, "at"))) {
      step.at_ns = *at;
      // Workload changes may come in the settle phase too (faults stop at run_for).
      const bool settles = step.type == FaultType::kSetRate || step.type == FaultType::kAddConsumer ||
                           step.type == FaultType::kRemoveConsumer;
      times_.push_back({*at, settles, MarkOf(f["at"].value), Sub(path, "at")});
    }
    if (f.count("at_event"))
      if (auto v = Int(f["at_event"].value, Sub(path, "at_event"), 0, INT64_MAX)) step.at_event = *v;
    const bool workload_change = step.type == FaultType::kSetRate || step.type == FaultType::kAddConsumer ||
                                 step.type == FaultType::kRemoveConsumer;
    if (step.type == FaultType::kSetRate) {
      if (!f.count("rate")) Error(n[i], path, "set-rate needs rate (records per second, 0 stops the producer)");
      else if (auto v = Int(f["rate"].value, Sub(path, "rate"), 0, 10'000'000)) step.amount = *v;
    } else if (f.count("rate")) {
      Error(f["rate"].key, Sub(path, "rate"), fmt::format("only set-rate takes rate; {} does not", FaultTypeName(step.type)));
    }
    for (const char* key : {"from", "partitions"})
      if (f.count(key) && step.type != FaultType::kAddConsumer)
        Error(f[key].key, Sub(path, key), fmt::format("only add-consumer takes {}; {} does not", key, FaultTypeName(step.type)));
    if (step.type == FaultType::kAddConsumer && step.consumer) {
      ConsumerSpec& c = *step.consumer;
      if (f.count("from")) ConsumerFrom(f["from"].value, Sub(path, "from"), &c);
      if (f.count("partitions")) ConsumerPartitions(f["partitions"].value, Sub(path, "partitions"), &c);
    }
    if (f.count("for")) {
      bool instant = step.type == FaultType::kRestart || step.type == FaultType::kResume ||
                     step.type == FaultType::kHeal || step.type == FaultType::kBitFlip ||
                     step.type == FaultType::kReset || workload_change;
      if (instant) {
        Error(f["for"].key, Sub(path, "for"), fmt::format("{} is instantaneous and cannot be reverted", FaultTypeName(step.type)));
      } else if (auto d = Duration(f["for"].value, Sub(path, "for"))) {
        if (*d <= 0) Error(f["for"].value, Sub(path, "for"), "must be positive");
        step.for_ns = *d;
        times_.push_back({step.at_ns + *d, true, MarkOf(f["for"].value), Sub(path, "for") + " (the revert)"});
      }
    } else if (step.type == FaultType::kClog) {
      step.for_ns = 1'000 * kNsPerMs;
    }
    switch (step.type) {
      case FaultType::kLatency: step.amount = 50 * kNsPerMs; break;
      case FaultType::kClockSkew: step.amount = 1'000 * kNsPerMs; break;
      case FaultType::kSlowDisk: step.amount = 10; break;
      case FaultType::kClockDrift: step.amount = 100'000; break;  // 10% fast
      case FaultType::kDiskErrors: step.amount = 10; break;       // 1 operation in 10 fails
      default: break;
    }
    if (f.count("amount")) {
      const YAML::Node& a = f["amount"].value;
      std::string ap = Sub(path, "amount");
      if (step.type == FaultType::kLatency) {
        if (auto d = Duration(a, ap)) step.amount = *d;
      } else if (step.type == FaultType::kClockSkew) {
        if (auto d = Duration(a, ap, true)) step.amount = *d;
      } else if (step.type == FaultType::kSlowDisk) {
        if (auto v = Int(a, ap, 2, 10'000)) step.amount = *v;
      } else if (step.type == FaultType::kClockDrift) {  // ppm: the clock stays monotonic above -10^6
        if (auto v = Int(a, ap, -999'999, 1'000'000)) {
          if (*v == 0) Error(a, ap, "a drift of 0 ppm changes nothing");
          step.amount = *v;
        }
      } else if (step.type == FaultType::kDiskErrors) {  // each write and sync fails with probability 1/amount
        if (auto v = Int(a, ap, 1, 1'000'000)) step.amount = *v;
      } else {
        Error(f["amount"].key, ap, fmt::format("{} takes no amount", FaultTypeName(step.type)));
      }
    }
    if (f.count("file") && step.type != FaultType::kBitFlip)
      Error(f["file"].key, Sub(path, "file"),
            fmt::format("only bit-flip takes file (it aims the flip); {} does not", FaultTypeName(step.type)));
    if (step.type == FaultType::kBitFlip && f.count("file"))
      if (auto v = String(f["file"].value, Sub(path, "file"))) {
        std::vector<std::string> kinds;
        for (FileKind k : {FileKind::kAny, FileKind::kPartitionLog, FileKind::kIndex, FileKind::kCheckpoint,
                           FileKind::kMetadataLog})
          kinds.emplace_back(FileKindName(k));
        if (std::optional<FileKind> k = FileKindFromName(*v)) step.flip_file = *k;
        else
          Error(f["file"].value, Sub(path, "file"),
                fmt::format("unknown file kind '{}'{}; expected one of: {}", *v, Suggest(*v, kinds), Join(kinds, ", ")));
      }
    if (flip_partition) {
      step.flip_partition = Partition(f["partition"].value, Sub(path, "partition"));
      if (step.flip_partition && step.flip_file == FileKind::kMetadataLog)
        Error(f["partition"].value, Sub(path, "partition"),
              "metadata-log files are not in a topic partition's directory: leave out partition");
    }
    if (f.count("caption"))
      if (auto c = String(f["caption"].value, Sub(path, "caption"))) step.caption = *c;
    s_.faults.push_back(std::move(step));
  }
  std::stable_sort(s_.faults.begin(), s_.faults.end(), [](const FaultStep& a, const FaultStep& b) { return a.at_ns < b.at_ns; });
}

void Parser::ParseNemesis(const YAML::Node& n) {
  std::map<std::string, Field> f;
  if (!Fields(n, "nemesis", {"kinds", "every", "start", "until", "targets", "min_for", "max_for", "corruption"}, &f))
    return;
  NemesisSpec ns;
  if (!f.count("kinds")) {
    Error(n, "nemesis", "missing key 'kinds'");
  } else if (IsSeq(f["kinds"].value, "nemesis.kinds")) {
    const YAML::Node& ks = f["kinds"].value;
    std::vector<std::string> names;
    for (int k = 0; k <= int(FaultKind::kBitFlip); ++k) names.emplace_back(FaultKindName(FaultKind(k)));
    for (size_t i = 0; i < ks.size(); ++i)
      if (auto s = String(ks[i], Idx("nemesis.kinds", i))) {
        if (auto k = FaultKindFromName(*s)) ns.kinds.push_back(*k);
        else Error(ks[i], Idx("nemesis.kinds", i), fmt::format("unknown fault kind '{}'{}; expected one of: {}", *s, Suggest(*s, names), Join(names, ", ")));
      }
    if (ks.size() == 0) Error(ks, "nemesis.kinds", "needs at least one kind");
  }
  if (f.count("targets") && IsSeq(f["targets"].value, "nemesis.targets")) {
    const YAML::Node& ts = f["targets"].value;
    const std::vector<std::pair<std::string, TargetKind>> kinds = {
        {"one", TargetKind::kOne},           {"random", TargetKind::kOne},     {"leaders", TargetKind::kLeaders},
        {"controller", TargetKind::kController}, {"minority", TargetKind::kMinority}, {"majority", TargetKind::kMajority},
        {"majority-ring", TargetKind::kMajorityRing}, {"bridge", TargetKind::kBridge}, {"all", TargetKind::kAll}};
    for (size_t i = 0; i < ts.size(); ++i)
      if (auto s = String(ts[i], Idx("nemesis.targets", i))) {
        bool ok = false;
        for (const auto& [name, k] : kinds)
          if (name == *s) ns.targets.push_back(k), ok = true;
        if (!ok)
          Error(ts[i], Idx("nemesis.targets", i),
                fmt::format("unknown nemesis target '{}'; expected one of: one, random, leaders, controller, minority, "
                            "majority, majority-ring, bridge, all",
                            *s));
      }
  }
  if (f.count("corruption"))
    if (auto c = String(f["corruption"].value, "nemesis.corruption")) {
      if (*c == "minority") ns.corruption_minority = true;
      else if (*c != "any")
        Error(f["corruption"].value, "nemesis.corruption",
              fmt::format("unknown corruption policy '{}'; expected minority (bit flips confined to a minority of each "
                          "partition's replicas and of the controller voters) or any",
                          *c));
    }
  auto dur = [&](const char* key, int64_t* out) {
    if (f.count(key))
      if (auto d = Duration(f[key].value, Sub("nemesis", key))) *out = *d;
  };
  dur("every", &ns.every_ns);
  dur("start", &ns.start_ns);
  dur("until", &ns.until_ns);
  dur("min_for", &ns.min_for_ns);
  dur("max_for", &ns.max_for_ns);
  if (f.count("every") && ns.every_ns <= 0) Error(f["every"].value, "nemesis.every", "must be positive");
  if (ns.min_for_ns > ns.max_for_ns)
    Error(f.count("min_for") ? f["min_for"].value : n, "nemesis.min_for", "min_for is above max_for");
  if (f.count("until")) {
    nemesis_until_mark_ = MarkOf(f["until"].value);
    times_.push_back({ns.until_ns, false, nemesis_until_mark_, "nemesis.until"});
  }
  if (f.count("start")) times_.push_back({ns.start_ns, false, MarkOf(f["start"].value), "nemesis.start"});
  s_.nemesis = ns;
}

void Parser::ParseCaptions(const YAML::Node& n) {
  if (!IsSeq(n, "captions")) return;
  for (size_t i = 0; i < n.size(); ++i) {
    std::string path = Idx("captions", i);
    std::map<std::string, Field> f;
    if (!Fields(n[i], path, {"at", "text", "pause"}, &f)) continue;
    Caption c;
    if (!f.count("at")) Error(n[i], path, "missing key 'at'");
    else if (auto at = Duration(f["at"].value, Sub(path, "at"))) {
      c.at_ns = *at;
      times_.push_back({*at, true, MarkOf(f["at"].value), Sub(path, "at")});
    }
    if (!f.count("text")) Error(n[i], path, "missing key 'text'");
    else if (auto t = String(f["text"].value, Sub(path, "text"))) c.text = *t;
    if (f.count("pause"))
      if (auto b = Bool(f["pause"].value, Sub(path, "pause"))) c.pause = *b;
    s_.captions.push_back(std::move(c));
  }
  std::stable_sort(s_.captions.begin(), s_.captions.end(), [](const Caption& a, const Caption& b) { return a.at_ns < b.at_ns; });
}

void Parser::ParseExpectation(const YAML::Node& n, std::string_view path) {
  Expectation e;
  e.mark = MarkOf(n);
  std::string name;
  YAML::Node args;
  if (n.IsScalar()) {
    name = n.Scalar();
  } else if (n.IsMap() && n.size() == 1) {
    auto it = n.begin();
    if (!it->first.IsScalar()) {
      Error(n, path, "expected an expectation name");
      return;
    }
    name = it->first.Scalar();
    args = it->second;
  } else {
    Error(n, path, "expected an expectation: a name (no_violations) or one name with arguments (new_leader_within: {...})");
    return;
  }
  std::vector<std::string> names;
  for (int k = 0; k <= int(ExpectKind::kLagBelow); ++k) names.emplace_back(ExpectKindName(ExpectKind(k)));
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    Error(n, path, fmt::format("unknown expectation '{}'{}; expected one of: {}", name, Suggest(name, names), Join(names, ", ")));
    return;
  }
  e.kind = ExpectKind(it - names.begin());
  std::string ap = Sub(path, name);
  std::vector<std::string> keys;
  std::vector<std::string> required;
  switch (e.kind) {
    case ExpectKind::kNoViolations:
    case ExpectKind::kAllAckedReadable: break;
    case ExpectKind::kViolation: keys = {"kind", "partition"}, required = {"kind"}; break;
    case ExpectKind::kNewLeaderWithin: keys = {"partition", "after", "within"}, required = keys; break;
    case ExpectKind::kLeaderWithin:
    case ExpectKind::kIsrShrinks:
    case ExpectKind::kIsrExpands: keys = {"partition", "after", "within"}, required = {"partition", "within"}; break;
    case ExpectKind::kControllerWithin: keys = {"after", "within"}, required = {"within"}; break;
    case ExpectKind::kProducersMakeProgress: keys = {"after", "max_stall"}; break;
    case ExpectKind::kLagBelow: keys = {"messages", "at"}, required = keys; break;
  }
  std::map<std::string, Field> f;
  if (args.IsDefined() && !args.IsNull()) {
    if (keys.empty()) {
      Error(args, ap, fmt::format("{} takes no arguments", name));
      return;
    }
    if (e.kind == ExpectKind::kViolation && args.IsScalar()) {  // violation: lost-write
      f["kind"] = Field{args, args};
    } else if (!Fields(args, ap, keys, &f)) {
      return;
    }
  }
  for (const auto& r : required)
    if (!f.count(r)) Error(args.IsDefined() && !args.IsNull() ? args : n, ap, fmt::format("missing key '{}'", r));
  if (f.count("partition")) e.partition = Partition(f["partition"].value, Sub(ap, "partition"));
  if (f.count("after"))
    if (auto d = Duration(f["after"].value, Sub(ap, "after"))) {
      e.after_ns = *d;
      times_.push_back({*d, true, MarkOf(f["after"].value), Sub(ap, "after")});
    }
  if (f.count("at"))
    if (auto d = Duration(f["at"].value, Sub(ap, "at"))) {
      e.after_ns = *d;
      times_.push_back({*d, true, MarkOf(f["at"].value), Sub(ap, "at")});
    }
  if (f.count("within"))
    if (auto d = Duration(f["within"].value, Sub(ap, "within"))) {
      e.within_ns = *d;
      if (*d <= 0) Error(f["within"].value, Sub(ap, "within"), "must be positive");
    }
  if (f.count("messages"))
    if (auto v = Int(f["messages"].value, Sub(ap, "messages"), 0, INT64_MAX)) e.messages = *v;
  if (f.count("max_stall"))
    if (auto d = Duration(f["max_stall"].value, Sub(ap, "max_stall"))) {
      e.max_stall_ns = *d;
      if (*d <= 0) Error(f["max_stall"].value, Sub(ap, "max_stall"), "must be positive");
    }
  if (f.count("kind"))
    if (auto k = String(f["kind"].value, Sub(ap, "kind"))) {
      const auto& known = KnownViolationKinds();
      if (std::find(known.begin(), known.end(), *k) == known.end())
        Error(f["kind"].value, Sub(ap, "kind"), fmt::format("unknown violation kind '{}'{}; expected one of: {}", *k, Suggest(*k, known), Join(known, ", ")));
      e.violation_kind = *k;
    }
  // Canonical name.
  e.name = name;
  if (!e.violation_kind.empty()) e.name += " " + e.violation_kind;
  if (e.partition) e.name += " " + e.partition->ToString();
  if (f.count("after")) e.name += " after=" + FormatDuration(e.after_ns);
  if (f.count("at")) e.name += " at=" + FormatDuration(e.after_ns);
  if (f.count("within")) e.name += " within=" + FormatDuration(e.within_ns);
  if (f.count("messages")) e.name += fmt::format(" messages={}", e.messages);
  if (f.count("max_stall")) e.name += " max_stall=" + FormatDuration(e.max_stall_ns);
  s_.expectations.push_back(std::move(e));
}

void Parser::ParseExpect(const YAML::Node& n) {
  if (!IsSeq(n, "expect")) return;
  for (size_t i = 0; i < n.size(); ++i) ParseExpectation(n[i], Idx("expect", i));
}

void Parser::CheckNode(int32_t id, SourceMark m, std::string_view path) {
  auto ids = s_.ServerIds();
  if (!std::binary_search(ids.begin(), ids.end(), id))
    ErrorAt(m, path, fmt::format("node {} does not exist (brokers are 1..{}{})", id, s_.cluster.brokers,
                                 s_.cluster.controller_only.empty() ? "" : ", plus the controller_only nodes"));
}

void Parser::CheckPartition(const PartitionRef& p, SourceMark m, std::string_view path) {
  const TopicSpec* t = s_.FindTopic(p.topic);
  if (t == nullptr)
    ErrorAt(m, path, fmt::format("topic '{}' is not declared under topics", p.topic));
  else if (t->partitions > 0 && p.partition >= t->partitions)
    ErrorAt(m, path, fmt::format("topic '{}' has {} partition(s): {} does not exist", p.topic, t->partitions, p.ToString()));
}

void Parser::CheckTime(int64_t t_ns, int64_t limit_ns, SourceMark m, std::string_view path, std::string_view limit_name) {
  if (t_ns > limit_ns)
    ErrorAt(m, path, fmt::format("{} is after the end of the run ({} = {})", FormatDuration(t_ns), limit_name, FormatDuration(limit_ns)));
}

void Parser::Validate() {
  ClusterSpec& c = s_.cluster;
  for (int32_t id : c.controller_only)
    if (id <= c.brokers) ErrorAt(controllers_mark_, "cluster.controller_only", fmt::format("node {} is a broker id (brokers are 1..{})", id, c.brokers));
  if (c.controllers.empty() && c.kind == "samsa") {
    if (!c.controller_only.empty()) c.controllers = c.controller_only;
    else
      for (int32_t i = 1; i <= std::min(c.brokers, 3); ++i) c.controllers.push_back(i);
  }
  for (int32_t id : c.controllers) CheckNode(id, controllers_mark_, "cluster.controllers");
  auto rf_limit = [&](const char* key) {
    auto it = c.config.find(key);
    int64_t v = 0;
    if (it != c.config.end() && ParseInt64(it->second, &v) && v > c.brokers)
      ErrorAt(brokers_mark_, std::string("cluster.config.") + key, fmt::format("{} is above the {} broker(s)", v, c.brokers));
  };
  rf_limit("default.replication.factor");
  int64_t default_rf = 1, default_parts = 1;
  if (auto v = s_.Config("default.replication.factor")) ParseInt64(*v, &default_rf);
  if (auto v = s_.Config("num.partitions")) ParseInt64(*v, &default_parts);
  for (auto& t : s_.topics) {
    if (t.partitions < 0) t.partitions = int32_t(default_parts);
    if (t.replication_factor < 0) t.replication_factor = int32_t(std::min<int64_t>(default_rf, c.brokers));
  }
  for (const auto& rf : rfs_)
    if (rf.t_ns > c.brokers)
      ErrorAt(rf.mark, rf.path, fmt::format("replication factor {} is above the {} broker(s) of the cluster", rf.t_ns, c.brokers));
  // Workload changes name clients by id: producers from kFirstClientId, then consumers, then
  // each add-consumer in schedule order.
  {
    std::set<int32_t> producers, consumers;
    int32_t next = kFirstClientId;
    for (const ProducerSpec& p : s_.producers)
      for (int32_t k = 0; k < p.count; ++k) producers.insert(next++);
    for (const ConsumerSpec& cs : s_.consumers)
      for (int32_t k = 0; k < cs.count; ++k) consumers.insert(next++);
    for (size_t i = 0; i < s_.faults.size(); ++i) {
      const FaultStep& f = s_.faults[i];
      const std::string path = fmt::format("faults ({})", FaultTypeName(f.type));
      if (f.type == FaultType::kAddConsumer) {
        consumers.insert(next++);
      } else if (f.type == FaultType::kSetRate && !producers.count(f.target.node_id)) {
        ErrorAt(f.mark, path,
                fmt::format("client {} is not a producer (producers are {})", f.target.node_id,
                            producers.empty() ? "none" : fmt::format("{}..{}", *producers.begin(), *producers.rbegin())));
      } else if (f.type == FaultType::kRemoveConsumer && !consumers.count(f.target.node_id)) {
        ErrorAt(f.mark, path,
                fmt::format("client {} is not a consumer by then (consumers: {})", f.target.node_id,
                            consumers.empty() ? "none" : fmt::format("{}", fmt::join(consumers, ", "))));
      }
    }
  }
  CheckReferences();
  for (const auto& pt : times_)
    CheckTime(pt.t_ns, pt.include_settle ? s_.run_for_ns + s_.settle_ns : s_.run_for_ns, pt.mark, pt.path,
              pt.include_settle ? "run_for + settle" : "run_for");
  if (s_.nemesis && s_.nemesis->until_ns == 0) s_.nemesis->until_ns = s_.run_for_ns;
  if (c.kind == "toy" && (!s_.producers.empty() || !s_.consumers.empty()))
    ErrorAt(workload_mark_, "workload", "a toy cluster runs ping nodes only: it takes no producers or consumers");
  if (const int64_t bytes = s_.ValueBytesBound(); bytes > kMaxValueBytes)
    ErrorAt(workload_mark_, "workload.producers",
            fmt::format("the producers may generate {} MiB of record values over the run (rate_per_s x value_bytes x "
                        "count x time, at the highest set-rate); the simulator holds every record in memory, so at "
                        "most {} MiB: lower the rate, value_bytes, count or the run's length",
                        bytes / (1 << 20), kMaxValueBytes / (1 << 20)));
}

void Parser::ConsumerFrom(const YAML::Node& n, const std::string& path, ConsumerSpec* c) {
  int64_t off = 0;
  if (n.IsScalar() && (n.Scalar() == "earliest" || n.Scalar() == "latest")) c->from = n.Scalar();
  else if (n.IsScalar() && ParseInt64(n.Scalar(), &off) && off >= 0) c->from = std::to_string(off);
  else Error(n, path, "expected earliest, latest or an offset >= 0");
}

void Parser::ConsumerPartitions(const YAML::Node& n, const std::string& path, ConsumerSpec* c) {
  if (n.IsScalar() && n.Scalar() == "all") return;  // the default
  if (!IsSeq(n, path)) return;
  for (size_t j = 0; j < n.size(); ++j)
    if (auto v = Int(n[j], Idx(path, j), 0, 10'000)) {
      c->partitions.push_back(int32_t(*v));
      partitions_.push_back({PartitionRef{c->topic, int32_t(*v)}, MarkOf(n[j]), Idx(path, j)});
    }
}

void Parser::CheckReferences() {
  for (const auto& [topic, where] : topic_refs_)
    if (s_.FindTopic(topic) == nullptr) ErrorAt(where.first, where.second, fmt::format("topic '{}' is not declared under topics", topic));
  for (const auto& p : partitions_)
    if (!p.ref.topic.empty()) CheckPartition(p.ref, p.mark, p.path);
  // Client targets: producers from kFirstClientId, then consumers (`count` each), then one id per
  // add-consumer of the schedule (whenever it comes: a target naming an added consumer before it
  // exists finds no node then, and hits nothing).
  int32_t producers_end = kFirstClientId, consumers_end = 0;
  for (const ProducerSpec& p : s_.producers) producers_end += p.count;
  consumers_end = producers_end;
  for (const ConsumerSpec& c : s_.consumers) consumers_end += c.count;
  for (const FaultStep& f : s_.faults) consumers_end += f.type == FaultType::kAddConsumer;
  consumers_end += added_consumers_;
  for (const auto& t : targets_) {
    if (t.target.kind == FaultTarget::Kind::kNode) CheckNode(t.target.node_id, t.mark, t.path);
    for (int32_t id : t.target.node_ids) CheckNode(id, t.mark, t.path);
    if (t.target.kind == FaultTarget::Kind::kClient) {
      const bool producer = t.target.client_role == "producer";
      const int32_t lo = producer ? kFirstClientId : producers_end, hi = producer ? producers_end : consumers_end;
      if (t.target.node_id < lo || t.target.node_id >= hi)
        ErrorAt(t.mark, t.path,
                fmt::format("client {} is not a {} ({}s are {})", t.target.node_id, t.target.client_role,
                            t.target.client_role, lo < hi ? fmt::format("{}..{}", lo, hi - 1) : std::string("none")));
    }
  }
}

Result<FaultStep> Parser::RunEntry(std::string_view text, const Scenario& context) {
  YAML::Node node;
  try {
    node = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    ErrorAt({e.mark.line + 1, e.mark.column + 1}, "(yaml)", e.msg);
    return Failure();
  }
  if (!node.IsMap()) {
    ErrorAt({1, 1}, "(entry)", "expected a map such as { crash: leader-of orders-0, for: 5s }");
    return Failure();
  }
  s_ = context;
  for (const FaultStep& f : context.faults) added_consumers_ += f.type == FaultType::kAddConsumer;
  s_.faults.clear();
  if (!node["at"]) node["at"] = "0ms";  // a session applies it now
  YAML::Node list(YAML::NodeType::Sequence);
  list.push_back(node);
  ParseFaults(list);
  CheckReferences();
  if (!errors_.empty()) return Failure();
  if (s_.faults.size() != 1) return Status::InvalidArgument(fmt::format("{}: expected one schedule entry", file_));
  return s_.faults.front();
}

Result<Scenario> Parser::Run(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    ErrorAt({e.mark.line + 1, e.mark.column + 1}, "(yaml)", e.msg);
    return Failure();
  }
  s_.file_name = file_;
  std::map<std::string, Field> f;
  if (root.IsNull() || !root.IsDefined()) {
    ErrorAt({1, 1}, "(top level)", "the file is empty; a scenario needs at least name and run_for");
    return Failure();
  }
  if (Fields(root, "", {"name", "description", "seed", "cluster", "network", "disk", "topics", "workload", "faults",
                         "nemesis", "captions", "run_for", "settle", "expect", "tolerate"},
             &f)) {
    if (!f.count("name")) Error(root, "name", "missing key 'name'");
    else if (auto v = String(f["name"].value, "name")) s_.name = *v;
    if (f.count("description"))
      if (auto v = String(f["description"].value, "description")) s_.description = *v;
    if (f.count("seed"))
      if (auto v = Int(f["seed"].value, "seed", 0, INT64_MAX)) s_.seed = uint64_t(*v);
    if (!f.count("run_for")) {
      Error(root, "run_for", "missing key 'run_for'");
    } else if (auto d = Duration(f["run_for"].value, "run_for")) {
      if (*d <= 0) Error(f["run_for"].value, "run_for", "must be positive");
      else s_.run_for_ns = *d;
    }
    if (f.count("settle"))
      if (auto d = Duration(f["settle"].value, "settle")) s_.settle_ns = *d;
    if (f.count("cluster")) ParseCluster(f["cluster"].value);
    else brokers_mark_ = controllers_mark_ = MarkOf(root);
    if (f.count("network")) ParseNetwork(f["network"].value);
    if (f.count("disk")) ParseDisk(f["disk"].value);
    if (f.count("topics")) ParseTopics(f["topics"].value);
    workload_mark_ = MarkOf(root);
    if (f.count("workload")) ParseWorkload(f["workload"].value);
    if (f.count("faults")) ParseFaults(f["faults"].value);
    if (f.count("nemesis")) ParseNemesis(f["nemesis"].value);
    if (f.count("captions")) ParseCaptions(f["captions"].value);
    if (f.count("expect")) ParseExpect(f["expect"].value);
    if (f.count("tolerate") && IsSeq(f["tolerate"].value, "tolerate")) {
      const YAML::Node& v = f["tolerate"].value;
      const auto& known = KnownViolationKinds();
      for (size_t i = 0; i < v.size(); ++i) {
        auto k = String(v[i], Idx("tolerate", i));
        if (!k) continue;
        if (std::find(known.begin(), known.end(), *k) == known.end())
          Error(v[i], Idx("tolerate", i), fmt::format("unknown violation kind '{}'{}; expected one of: {}", *k,
                                                      Suggest(*k, known), Join(known, ", ")));
        else
          s_.tolerated_kinds.push_back(*k);
      }
    }
    Validate();
  }
  if (!errors_.empty()) return Failure();
  return std::move(s_);
}

}  // namespace

std::string PartitionRef::ToString() const { return fmt::format("{}-{}", topic, partition); }

std::string FaultTarget::ToString() const {
  switch (kind) {
    case Kind::kNode: return fmt::format("broker-{}", node_id);
    case Kind::kLeaderOf: return "leader-of " + partition.ToString();
    case Kind::kFollowersOf: return "followers-of " + partition.ToString();
    case Kind::kLeaders: return "leaders";
    case Kind::kController: return "controller";
    case Kind::kAll: return "all";
    case Kind::kMinority: return "minority";
    case Kind::kMajority: return "majority";
    case Kind::kMajorityRing: return "majority-ring";
    case Kind::kBridge: return "bridge";
    case Kind::kRandom: return "random";
    case Kind::kIsrOf: return "isr-of " + partition.ToString();
    case Kind::kFollowerOf: return "follower-of " + partition.ToString();
    case Kind::kClient: return fmt::format("{}-{}", client_role.empty() ? "client" : client_role, node_id);
    case Kind::kNodes: {
      std::string out;
      for (int32_t id : node_ids) out += fmt::format("{}broker-{}", out.empty() ? "" : ",", id);
      return out;
    }
  }
  return "?";
}

Result<FaultTarget> ParseTarget(std::string_view text) {
  FaultTarget t;
  int64_t id = 0;
  if (text.find(',') != std::string_view::npos) {  // a group of nodes
    t.kind = FaultTarget::Kind::kNodes;
    for (size_t at = 0; at <= text.size();) {
      size_t comma = text.find(',', at);
      if (comma == std::string_view::npos) comma = text.size();
      std::string_view part = text.substr(at, comma - at);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      Result<FaultTarget> one = ParseTarget(part);
      if (!one.ok() || one->kind != FaultTarget::Kind::kNode)
        return Status::InvalidArgument(fmt::format("'{}': a group of nodes is a comma-separated list of node ids "
                                                   "(broker-1,broker-2)", text));
      t.node_ids.push_back(one->node_id);
      at = comma + 1;
    }
    std::sort(t.node_ids.begin(), t.node_ids.end());
    t.node_ids.erase(std::unique(t.node_ids.begin(), t.node_ids.end()), t.node_ids.end());
    return t;
  }
  std::string_view s = text;
  if (s.starts_with("broker-")) s.remove_prefix(7);
  if (ParseInt64(s, &id)) {
    if (id < 1 || id >= kFirstClientId) return Status::InvalidArgument(fmt::format("node id {} out of range", id));
    t.kind = FaultTarget::Kind::kNode;
    t.node_id = int32_t(id);
    return t;
  }
  for (const std::string_view role : {"producer-", "consumer-"})
    if (text.starts_with(role)) {
      if (!ParseInt64(text.substr(role.size()), &id) || id < kFirstClientId || id > INT32_MAX)
        return Status::InvalidArgument(fmt::format("'{}': expected {}N with a client id N >= {} (e.g. {}{})", text, role,
                                                   kFirstClientId, role, kFirstClientId));
      t.kind = FaultTarget::Kind::kClient;
      t.node_id = int32_t(id);
      t.client_role = std::string(role.substr(0, role.size() - 1));
      return t;
    }
  const std::pair<std::string_view, FaultTarget::Kind> of_partition[] = {
      {"leader-of", FaultTarget::Kind::kLeaderOf},
      {"followers-of", FaultTarget::Kind::kFollowersOf},
      {"follower-of", FaultTarget::Kind::kFollowerOf},
      {"isr-of", FaultTarget::Kind::kIsrOf}};
  for (const auto& [word, kind] : of_partition) {
    if (!(text.starts_with(word) && text.size() > word.size() && text[word.size()] == ' ')) continue;
    std::string_view p = text.substr(word.size());
    while (!p.empty() && p.front() == ' ') p.remove_prefix(1);
    size_t dash = p.rfind('-');
    if (dash == std::string_view::npos || dash == 0 || !ParseInt64(p.substr(dash + 1), &id) || id < 0 || id > 1'000'000)
      return Status::InvalidArgument(fmt::format("'{}': expected {} TOPIC-N (e.g. {} orders-0)", text, word, word));
    t.kind = kind;
    t.partition = PartitionRef{std::string(p.substr(0, dash)), int32_t(id)};
    return t;
  }
  const std::pair<std::string_view, FaultTarget::Kind> names[] = {
      {"leaders", FaultTarget::Kind::kLeaders},         {"controller", FaultTarget::Kind::kController},
      {"all", FaultTarget::Kind::kAll},                 {"minority", FaultTarget::Kind::kMinority},
      {"majority", FaultTarget::Kind::kMajority},       {"majority-ring", FaultTarget::Kind::kMajorityRing},
      {"bridge", FaultTarget::Kind::kBridge},           {"random", FaultTarget::Kind::kRandom}};
  for (const auto& [name, kind] : names)
    if (text == name) {
      t.kind = kind;
      return t;
    }
  return Status::InvalidArgument(fmt::format(
      "unknown target '{}'; expected a node id, broker-N, a group broker-1,broker-2, leader-of TOPIC-N, followers-of TOPIC-N, "
      "follower-of TOPIC-N, isr-of TOPIC-N, producer-N, consumer-N, leaders, controller, all, minority, majority, "
      "majority-ring, bridge or random",
      text));
}

Result<int64_t> ParseDurationNs(std::string_view text, bool allow_negative) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("bad duration '{}': {}", text, why));
  };
  if (digits == 0) return bad("expected a number with a unit: 500us, 250ms, 10s, 2m, 1h (a bare integer means ms)");
  if (digits > 18) return bad("too large");
  if (digits < s.size() && s[digits] == '.') return bad("use a whole number with a smaller unit (1500ms, not 1.5s)");
  int64_t v = 0;
  for (size_t i = 0; i < digits; ++i) v = v * 10 + (s[i] - '0');
  std::string_view unit = s.substr(digits);
  int64_t scale = 0;
  if (unit.empty() || unit == "ms") scale = kNsPerMs;
  else if (unit == "us") scale = 1'000;
  else if (unit == "ns") scale = 1;
  else if (unit == "s") scale = 1'000 * kNsPerMs;
  else if (unit == "m" || unit == "min") scale = 60'000 * kNsPerMs;
  else if (unit == "h") scale = 3'600'000 * kNsPerMs;
  else return bad(fmt::format("unknown unit '{}' (expected ns, us, ms, s, m, h)", unit));
  if (v > kMaxDurationNs / scale) return bad("too large");
  if (negative && !allow_negative) return bad("must not be negative");
  return negative ? -v * scale : v * scale;
}

std::string FormatDuration(int64_t ns) {
  std::string sign = ns < 0 ? "-" : "";
  int64_t a = ns < 0 ? -ns : ns;
  if (a == 0) return "0ms";
  if (a % (60'000 * kNsPerMs) == 0) return fmt::format("{}{}m", sign, a / (60'000 * kNsPerMs));
  if (a % (1'000 * kNsPerMs) == 0) return fmt::format("{}{}s", sign, a / (1'000 * kNsPerMs));
  if (a % kNsPerMs == 0) return fmt::format("{}{}ms", sign, a / kNsPerMs);
  if (a % 1'000 == 0) return fmt::format("{}{}us", sign, a / 1'000);
  return fmt::format("{}{}ns", sign, a);
}

std::string_view FaultTypeName(FaultType type) {
  switch (type) {
    case FaultType::kCrash: return "crash";
    case FaultType::kRestart: return "restart";
    case FaultType::kPause: return "pause";
    case FaultType::kResume: return "resume";
    case FaultType::kPartition: return "partition";
    case FaultType::kHeal: return "heal";
    case FaultType::kIsolate: return "isolate";
    case FaultType::kClog: return "clog";
    case FaultType::kLatency: return "latency";
    case FaultType::kSlowDisk: return "slow-disk";
    case FaultType::kDiskFull: return "disk-full";
    case FaultType::kBitFlip: return "bit-flip";
    case FaultType::kClockSkew: return "clock-skew";
    case FaultType::kSetRate: return "set-rate";
    case FaultType::kAddConsumer: return "add-consumer";
    case FaultType::kRemoveConsumer: return "remove-consumer";
    case FaultType::kShutdown: return "shutdown";
    case FaultType::kOneWay: return "one-way";
    case FaultType::kReset: return "reset";
    case FaultType::kClockDrift: return "clock-drift";
    case FaultType::kDiskErrors: return "disk-errors";
  }
  return "?";
}

std::string_view ExpectKindName(ExpectKind kind) {
  switch (kind) {
    case ExpectKind::kNoViolations: return "no_violations";
    case ExpectKind::kViolation: return "violation";
    case ExpectKind::kNewLeaderWithin: return "new_leader_within";
    case ExpectKind::kLeaderWithin: return "leader_within";
    case ExpectKind::kControllerWithin: return "controller_within";
    case ExpectKind::kAllAckedReadable: return "all_acked_readable";
    case ExpectKind::kIsrShrinks: return "isr_shrinks";
    case ExpectKind::kIsrExpands: return "isr_expands";
    case ExpectKind::kProducersMakeProgress: return "producers_make_progress";
    case ExpectKind::kLagBelow: return "lag_below";
  }
  return "?";
}

int64_t Scenario::ValueBytesBound() const {
  const int64_t end_ns = run_for_ns + settle_ns;
  int32_t next = kFirstClientId;
  long double total = 0;
  for (const ProducerSpec& p : producers) {
    const int64_t stop_ns = p.stop_ns < 0 ? end_ns : std::min(p.stop_ns, end_ns);
    const long double seconds = std::max<int64_t>(0, stop_ns - p.start_ns) / 1e9L;
    // An unpadded value is "p<node>-<seq>": some 12 bytes.
    const long double value_bytes = (long double)std::max<int64_t>(p.value_bytes, 12);
    for (int32_t k = 0; k < p.count; ++k) {
      const int32_t client = next++;
      int64_t rate = p.rate_per_s;
      for (const FaultStep& f : faults)
        if (f.type == FaultType::kSetRate && f.target.node_id == client)
          rate = std::max(rate, f.amount);  // set-rate keeps its rate in amount
      total += (long double)rate * seconds * value_bytes;
    }
  }
  return total >= (long double)INT64_MAX ? INT64_MAX : int64_t(total);
}

std::vector<int32_t> Scenario::ServerIds() const {
  std::vector<int32_t> ids;
  for (int32_t i = 1; i <= cluster.brokers; ++i) ids.push_back(i);
  for (int32_t id : cluster.controller_only) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

bool Scenario::AllowsViolation(std::string_view kind) const {
  if (std::find(tolerated_kinds.begin(), tolerated_kinds.end(), kind) != tolerated_kinds.end()) return true;
  return std::any_of(expectations.begin(), expectations.end(), [&](const Expectation& e) {
    return e.kind == ExpectKind::kViolation && e.violation_kind == kind;
  });
}

const TopicSpec* Scenario::FindTopic(std::string_view topic) const {
  for (const auto& t : topics)
    if (t.name == topic) return &t;
  return nullptr;
}

std::optional<std::string> Scenario::Config(std::string_view key, std::string_view topic) const {
  if (!topic.empty())
    if (const TopicSpec* t = FindTopic(topic)) {
      auto it = t->config.find(std::string(key));
      if (it != t->config.end()) return it->second;
    }
  auto it = cluster.config.find(std::string(key));
  if (it != cluster.config.end()) return it->second;
  return std::nullopt;
}

namespace {

// The names a scenario may set in `scope`: accepted by the registry and not set per node.
std::vector<std::string> SettableNames(config::Scope scope) {
  std::vector<std::string> v;
  for (const config::Property& p : config::All())
    if (p.scope == scope && p.refused.empty() && !p.per_node) v.emplace_back(p.name);
  return v;
}

}  // namespace

const std::vector<std::string>& BrokerConfigNames() {
  static const std::vector<std::string> names = SettableNames(config::Scope::kBroker);
  return names;
}

const std::vector<std::string>& TopicConfigNames() {
  static const std::vector<std::string> names = SettableNames(config::Scope::kTopic);
  return names;
}

const std::vector<std::string>& KnownViolationKinds() {
  static const std::vector<std::string> kinds(std::begin(kViolationKinds), std::end(kViolationKinds));
  return kinds;
}

Result<Scenario> ParseScenario(std::string_view yaml_text, std::string_view file_name) {
  Parser parser(file_name);
  try {
    return parser.Run(yaml_text);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(fmt::format("{}:0:0: (yaml): {}", file_name, e.what()));
  } catch (...) {
    return Status::InvalidArgument(fmt::format("{}:0:0: (yaml): unreadable YAML", file_name));
  }
}

}  // namespace samsa::sim

namespace samsa::sim {

Result<FaultStep> ParseScheduleEntry(std::string_view yaml_text, const Scenario& context, std::string_view where) {
  return Parser(where).RunEntry(yaml_text, context);
}

std::string FaultStepToYaml(const FaultStep& step) {
  std::vector<std::string> parts;
  parts.push_back("at: " + FormatDuration(step.at_ns));
  if (step.at_event >= 0) parts.push_back(fmt::format("at_event: {}", step.at_event));
  const std::string name(FaultTypeName(step.type));
  switch (step.type) {
    case FaultType::kHeal: parts.push_back(name + ": all"); break;
    case FaultType::kSetRate:
      parts.push_back(fmt::format("{}: {}", name, step.target.node_id));
      parts.push_back(fmt::format("rate: {}", step.amount));
      break;
    case FaultType::kRemoveConsumer: parts.push_back(fmt::format("{}: {}", name, step.target.node_id)); break;
    case FaultType::kAddConsumer: {
      const ConsumerSpec c = step.consumer.value_or(ConsumerSpec{});
      parts.push_back(fmt::format("{}: \"{}\"", name, c.topic));
      parts.push_back(fmt::format("from: {}", c.from));
      if (!c.partitions.empty()) parts.push_back(fmt::format("partitions: [{}]", fmt::join(c.partitions, ", ")));
      break;
    }
    default: parts.push_back(fmt::format("{}: \"{}\"", name, step.target.ToString())); break;
  }
  if (step.for_ns > 0) parts.push_back("for: " + FormatDuration(step.for_ns));
  if (step.type == FaultType::kLatency || step.type == FaultType::kClockSkew)
    parts.push_back("amount: " + FormatDuration(step.amount));
  if (step.type == FaultType::kSlowDisk || step.type == FaultType::kClockDrift || step.type == FaultType::kDiskErrors)
    parts.push_back(fmt::format("amount: {}", step.amount));
  if (step.type == FaultType::kBitFlip) {
    if (step.flip_file != FileKind::kAny) parts.push_back(fmt::format("file: {}", FileKindName(step.flip_file)));
    if (step.flip_partition) parts.push_back(fmt::format("partition: {}", step.flip_partition->ToString()));
  }
  if (!step.caption.empty()) {
    std::string quoted;
    for (char ch : step.caption) {
      if (ch == '"' || ch == '\\') quoted += '\\';
      if (ch == '\n') {
        quoted += "\\n";
        continue;
      }
      quoted += ch;
    }
    parts.push_back(fmt::format("caption: \"{}\"", quoted));
  }
  return fmt::format("{{ {} }}", fmt::join(parts, ", "));
}

Result<std::string> ScenarioYamlWith(std::string_view original, uint64_t seed, const std::vector<FaultStep>& recorded) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(original));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(fmt::format("the scenario is not YAML: {}", e.what()));
  }
  if (!root.IsMap()) return Status::InvalidArgument("the scenario is not a YAML map");
  root["seed"] = seed;
  YAML::Node faults(YAML::NodeType::Sequence);
  if (YAML::Node old = root["faults"]; old.IsSequence())
    for (const YAML::Node& entry : old)
      if (!(entry.IsMap() && entry["at_event"])) faults.push_back(entry);
  if (faults.size() > 0 || !recorded.empty()) {
    for (const FaultStep& step : recorded) {
      YAML::Node entry;
      try {
        entry = YAML::Load(FaultStepToYaml(step));
      } catch (const std::exception& e) {
        return Status::FailedPrecondition(fmt::format("cannot write a schedule entry: {}", e.what()));
      }
      entry.SetStyle(YAML::EmitterStyle::Flow);
      faults.push_back(entry);
    }
    root["faults"] = faults;
  }
  YAML::Emitter out;
  out << root;
  if (!out.good()) return Status::FailedPrecondition(fmt::format("cannot write the scenario: {}", out.GetLastError()));
  return std::string(out.c_str()) + "\n";
}

}  // namespace samsa::sim
