#include "sim/report.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "sim/trace.h"
#include "sim/view_json.h"

namespace samsa::sim {

std::string ReproduceCommand(std::string_view scenario_path, uint64_t seed) {
  return fmt::format("samsa-sim run {} --seed {}", scenario_path, seed);
}

nlohmann::json RunReportJson(const RunResult& r, std::string_view scenario_path) {
  nlohmann::json j;
  j["scenario"] = r.scenario_name;
  j["file"] = std::string(scenario_path);
  j["seed"] = r.seed;
  j["trace_hash"] = HashHex(r.trace_hash);
  j["passed"] = r.passed;
  if (!r.error.empty()) j["error"] = r.error;
  j["expectations"] = nlohmann::json::array();
  for (const auto& e : r.expectations)
    j["expectations"].push_back({{"name", e.name}, {"passed", e.passed}, {"detail", e.detail}});
  j["violations"] = nlohmann::json::array();
  for (const auto& v : r.violations)
    j["violations"].push_back({{"kind", v.kind},
                               {"topic", v.topic},
                               {"partition", v.partition},
                               {"offset", v.offset},
                               {"detail", v.detail}});
  j["violations_by_kind"] = r.violations_by_kind;
  j["violations_total"] = r.violations_total;
  j["allowed_violation_kinds"] = r.allowed_violation_kinds;
  j["timeline"] = nlohmann::json::array();
  for (const auto& t : r.timeline.entries) {
    nlohmann::json e = {{"at_ms", t.at_ns / 1'000'000}, {"kind", t.kind}, {"text", t.text}};
    if (t.kind == "caption") e["caption"] = t.text;
    else e["detail"] = t.text;
    if (!t.nodes.empty()) e["nodes"] = t.nodes;
    j["timeline"].push_back(std::move(e));
  }
  j["events"] = nlohmann::json::array();
  for (const auto& e : r.events) j["events"].push_back(nlohmann::json(EventJson(e)));
  j["stats"] = {{"events", r.stats.events},     {"simulated_ms", r.stats.simulated_ms},
                {"wall_ms", r.stats.wall_ms},   {"produced", r.stats.produced},
                {"acked", r.stats.acked},       {"consumed", r.stats.consumed},
                {"batch_sends", r.stats.batch_sends},
                {"sim_speed", r.stats.sim_speed}};
  j["reproduce"] = ReproduceCommand(scenario_path, r.seed);
  return j;
}

nlohmann::json RunSummaryJson(const RunResult& r) {
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& e : r.expectations)
    if (!e.passed) failed.push_back(e.name);
  nlohmann::json j = {{"seed", r.seed},
                      {"passed", r.passed},
                      {"trace_hash", HashHex(r.trace_hash)},
                      {"events", r.stats.events},
                      {"simulated_ms", r.stats.simulated_ms},
                      {"wall_ms", r.stats.wall_ms},
                      {"failed_expectations", failed},
                      {"violations_total", r.violations_total},
                      {"violations_by_kind", r.violations_by_kind}};
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

nlohmann::json SweepReportJson(const SweepSpec& spec, const std::vector<SeedSummary>& seeds, int64_t wall_ms) {
  std::vector<SeedSummary> sorted = seeds;
  std::sort(sorted.begin(), sorted.end(), [](const SeedSummary& a, const SeedSummary& b) { return a.seed < b.seed; });
  nlohmann::json j;
  j["scenario"] = spec.scenario_name;
  j["file"] = spec.scenario_path;
  if (!spec.scenario_hash.empty()) j["scenario_hash"] = spec.scenario_hash;
  j["seeds"] = fmt::format("{}..{}", spec.first_seed, spec.last_seed);
  if (spec.shard_count > 0)
    j["shard"] = {{"index", spec.shard_index},
                  {"count", spec.shard_count},
                  {"of_seeds", fmt::format("{}..{}", spec.of_first, spec.of_last)}};
  j["runs"] = sorted.size();
  uint64_t passed = 0;
  nlohmann::json failed = nlohmann::json::array(), crashed = nlohmann::json::array();
  nlohmann::json reproduce = nlohmann::json::object();
  nlohmann::json per_seed = nlohmann::json::array();
  for (const auto& s : sorted) {
    if (s.passed) {
      ++passed;
    } else {
      failed.push_back(s.seed);
      if (s.crashed) crashed.push_back(s.seed);
      reproduce[std::to_string(s.seed)] = ReproduceCommand(spec.scenario_path, s.seed);
    }
    per_seed.push_back(s.summary);
  }
  j["passed"] = passed;
  j["failed"] = sorted.size() - passed;
  j["failed_seeds"] = failed;
  j["crashed_seeds"] = crashed;
  j["reproduce"] = reproduce;
  j["wall_ms"] = wall_ms;
  j["per_seed"] = per_seed;
  return j;
}

std::string ScenarioHash(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return fmt::format("0x{:016x}", h);
}

Result<std::pair<uint64_t, uint64_t>> ShardRange(uint64_t first, uint64_t last, uint64_t index, uint64_t count) {
  if (last < first) return Status::InvalidArgument(fmt::format("empty seed range {}..{}", first, last));
  const uint64_t seeds = last - first + 1;
  if (count == 0) return Status::InvalidArgument("the shard count must be at least 1");
  if (index >= count)
    return Status::InvalidArgument(fmt::format(
        "shard index {} is out of range: with {} shard(s) the index runs from 0 to {} (0-based, as "
        "JOB_COMPLETION_INDEX; a Slurm array must be --array=0-{})",
        index, count, count - 1, count - 1));
  if (count > seeds)
    return Status::InvalidArgument(
        fmt::format("{} shards for {} seed(s) ({}..{}): at most one shard per seed", count, seeds, first, last));
  // index * seeds <= 10^6 * 10^6 (sweeps take at most a million seeds): no overflow.
  const uint64_t begin = first + index * seeds / count;
  const uint64_t end = first + (index + 1) * seeds / count - 1;
  return std::pair{begin, end};
}

std::optional<uint64_t> ParseSeed(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;  // 19 digits cannot overflow 64 bits
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  if (v > kMaxSeed) return std::nullopt;
  return v;
}

std::string SeedError(std::string_view text) {
  if (ParseSeed(text)) return "";
  return fmt::format("expected a seed: an integer from 0 to {}, got '{}'", kMaxSeed, text);
}

std::optional<std::pair<uint64_t, uint64_t>> ParseSeedRange(std::string_view text) {
  size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    std::optional<uint64_t> n = ParseSeed(text);
    if (!n) return std::nullopt;
    return std::pair{*n, *n};
  }
  std::optional<uint64_t> a = ParseSeed(text.substr(0, dots)), b = ParseSeed(text.substr(dots + 2));
  if (!a || !b || *a > *b) return std::nullopt;
  return std::pair{*a, *b};
}

namespace {

// "acked-lost x12, duplicate x3" from {kind: count}; "" when empty or not an object.
std::string KindCounts(const nlohmann::json& by_kind) {
  std::string out;
  if (!by_kind.is_object()) return out;
  for (const auto& [kind, n] : by_kind.items())
    out += fmt::format("{}{} x{}", out.empty() ? "" : ", ", kind, n.is_number_integer() ? n.dump() : "?");
  return out;
}

}  // namespace

std::string SweepSummaryText(const nlohmann::json& report) {
  auto u = [&](const char* key) { return report.value(key, uint64_t(0)); };
  const std::string file = report.value("file", std::string());
  std::string out = fmt::format("sweep {} seeds {}: runs={} passed={} failed={} wall_ms={}\n",
                                report.value("scenario", std::string()), report.value("seeds", std::string()),
                                u("runs"), u("passed"), u("failed"), report.value("wall_ms", int64_t(0)));
  if (!report.contains("per_seed") || !report["per_seed"].is_array()) return out;
  for (const auto& s : report["per_seed"]) {
    if (!s.is_object() || s.value("passed", false)) continue;
    uint64_t seed = s.value("seed", uint64_t(0));
    std::string why;
    if (s.contains("error") && s["error"].is_string()) why = s["error"].get<std::string>();
    if (s.contains("failed_expectations") && s["failed_expectations"].is_array())
      for (const auto& name : s["failed_expectations"])
        if (name.is_string()) why += (why.empty() ? "" : "; ") + name.get<std::string>();
    if (std::string kinds = KindCounts(s.value("violations_by_kind", nlohmann::json())); !kinds.empty())
      why += (why.empty() ? "" : "; ") + ("violations: " + kinds);
    out += fmt::format("  FAILED seed={} ({}); reproduce: {}\n", seed, why, ReproduceCommand(file, seed));
  }
  return out;
}

namespace {

// Checks that `r` is a sweep report MergeSweepReports can read; fills the seeds of its per_seed.
Status CheckSweepReport(const SweepInput& in, std::vector<uint64_t>* seeds) {
  const nlohmann::json& r = in.report;
  auto bad = [&](const std::string& why) { return Status::InvalidArgument(in.path + ": " + why); };
  if (!r.is_object()) return bad("not a sweep report (expected a JSON object, as `samsa-sim sweep --json` writes)");
  for (const char* key : {"scenario", "file", "seeds"})
    if (!r.contains(key) || !r[key].is_string())
      return bad(fmt::format("not a sweep report: no \"{}\" string (is it a `samsa-sim run` report?)", key));
  if (!r.contains("per_seed") || !r["per_seed"].is_array()) return bad("not a sweep report: no \"per_seed\" array");
  if (!r.contains("wall_ms") || !r["wall_ms"].is_number_integer()) return bad("not a sweep report: no \"wall_ms\"");
  if (r.contains("scenario_hash") && !r["scenario_hash"].is_string()) return bad("\"scenario_hash\" is not a string");
  if (r.contains("crashed_seeds") && !r["crashed_seeds"].is_array()) return bad("\"crashed_seeds\" is not an array");
  auto range = ParseSeedRange(r["seeds"].get<std::string>());
  if (!range) return bad(fmt::format("bad \"seeds\" '{}' (expected A..B)", r["seeds"].get<std::string>()));
  size_t i = 0;
  for (const auto& s : r["per_seed"]) {
    if (!s.is_object() || !s.contains("seed") || !s["seed"].is_number_unsigned() || !s.contains("passed") ||
        !s["passed"].is_boolean())
      return bad(fmt::format("per_seed[{}] is not a run summary with \"seed\" and \"passed\"", i));
    seeds->push_back(s["seed"].get<uint64_t>());
    ++i;
  }
  std::vector<uint64_t> sorted = *seeds;
  std::sort(sorted.begin(), sorted.end());
  for (size_t k = 1; k < sorted.size(); ++k)
    if (sorted[k] == sorted[k - 1]) return bad(fmt::format("seed {} appears twice in per_seed", sorted[k]));
  const uint64_t want = range->second - range->first + 1;
  if (sorted.size() != want || sorted.front() != range->first || sorted.back() != range->second)
    return bad(fmt::format("per_seed holds {} run(s), not the {} seed(s) of {} (a truncated or edited report?)",
                           sorted.size(), want, r["seeds"].get<std::string>()));
  if (r.contains("shard")) {
    const nlohmann::json& sh = r["shard"];
    if (!sh.is_object() || !sh.contains("index") || !sh["index"].is_number_unsigned() || !sh.contains("count") ||
        !sh["count"].is_number_unsigned() || !sh.contains("of_seeds") || !sh["of_seeds"].is_string())
      return bad("bad \"shard\" (expected {index, count, of_seeds})");
    auto of = ParseSeedRange(sh["of_seeds"].get<std::string>());
    if (!of) return bad(fmt::format("bad shard.of_seeds '{}'", sh["of_seeds"].get<std::string>()));
    auto expect = ShardRange(of->first, of->second, sh["index"].get<uint64_t>(), sh["count"].get<uint64_t>());
    if (!expect.ok()) return bad("bad \"shard\": " + expect.status().message());
    if (*expect != *range)
      return bad(fmt::format("seeds {} are not shard {}/{} of {} (that is {}..{})", r["seeds"].get<std::string>(),
                             sh["index"].get<uint64_t>(), sh["count"].get<uint64_t>(), sh["of_seeds"].get<std::string>(),
                             expect->first, expect->second));
  }
  return Status::Ok();
}

// "5..9, 12, 20..29" (at most `max` ranges, then "and N more seeds").
std::string SeedRanges(const std::vector<std::pair<uint64_t, uint64_t>>& ranges, size_t max = 5) {
  std::string out;
  uint64_t rest = 0;
  for (size_t i = 0; i < ranges.size(); ++i) {
    const auto& [a, b] = ranges[i];
    if (i >= max) {
      rest += b - a + 1;
      continue;
    }
    out += (out.empty() ? "" : ", ") + (a == b ? std::to_string(a) : fmt::format("{}..{}", a, b));
  }
  if (rest > 0) out += fmt::format(" and {} more seed(s)", rest);
  return out;
}

}  // namespace

Result<nlohmann::json> MergeSweepReports(const std::vector<SweepInput>& inputs) {
  if (inputs.empty()) return Status::InvalidArgument("no sweep reports to merge");
  std::map<uint64_t, size_t> owner;  // seed -> input
  std::vector<SeedSummary> seeds;
  const SweepInput& first = inputs.front();
  std::map<uint64_t, size_t> shard_owner;  // shard index -> input
  int64_t wall_ms = 0;
  nlohmann::json merged_from = nlohmann::json::array();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const SweepInput& in = inputs[i];
    std::vector<uint64_t> its;
    if (Status st = CheckSweepReport(in, &its); !st.ok()) return st;
    const nlohmann::json& r = in.report;
    auto differ = [&](const std::string& what) {
      return Status::InvalidArgument(fmt::format("{}: {} (a sweep of another scenario or file cannot be merged)",
                                                 in.path, what));
    };
    if (r["scenario"] != first.report["scenario"])
      return differ(fmt::format("scenario '{}' differs from '{}' in {}", r["scenario"].get<std::string>(),
                                first.report["scenario"].get<std::string>(), first.path));
    if (r["file"] != first.report["file"])
      return differ(fmt::format("scenario file '{}' differs from '{}' in {}", r["file"].get<std::string>(),
                                first.report["file"].get<std::string>(), first.path));
    if (r.value("scenario_hash", std::string()) != first.report.value("scenario_hash", std::string()))
      return differ(fmt::format("scenario_hash {} differs from {} in {}: the shards ran different versions of {}",
                                r.value("scenario_hash", std::string("(none)")),
                                first.report.value("scenario_hash", std::string("(none)")), first.path,
                                r["file"].get<std::string>()));
    if (r.contains("shard") != first.report.contains("shard"))
      return Status::InvalidArgument(fmt::format("{}: {} a shard's report but {} is {}", in.path,
                                                 r.contains("shard") ? "is" : "is not", first.path,
                                                 first.report.contains("shard") ? "one" : "not"));
    if (r.contains("shard")) {
      const nlohmann::json &sh = r["shard"], &sh0 = first.report["shard"];
      if (sh["count"] != sh0["count"] || sh["of_seeds"] != sh0["of_seeds"])
        return Status::InvalidArgument(fmt::format(
            "{}: shard {}/{} of {} is from another split than {} (shard {}/{} of {})", in.path,
            sh["index"].get<uint64_t>(), sh["count"].get<uint64_t>(), sh["of_seeds"].get<std::string>(), first.path,
            sh0["index"].get<uint64_t>(), sh0["count"].get<uint64_t>(), sh0["of_seeds"].get<std::string>()));
      auto [it, fresh] = shard_owner.try_emplace(sh["index"].get<uint64_t>(), i);
      if (!fresh)
        return Status::InvalidArgument(fmt::format("{}: shard {}/{} was already given in {}", in.path,
                                                   sh["index"].get<uint64_t>(), sh["count"].get<uint64_t>(),
                                                   inputs[it->second].path));
    }
    for (uint64_t seed : its) {
      auto [it, fresh] = owner.try_emplace(seed, i);
      if (!fresh)
        return Status::InvalidArgument(fmt::format("{}: seeds {} overlap {} (seeds {}), e.g. seed {}: a seed may be in "
                                                   "one report only",
                                                   in.path, r["seeds"].get<std::string>(), inputs[it->second].path,
                                                   inputs[it->second].report["seeds"].get<std::string>(), seed));
    }
    std::set<uint64_t> crashed;
    if (r.contains("crashed_seeds"))
      for (const auto& c : r["crashed_seeds"])
        if (c.is_number_unsigned()) crashed.insert(c.get<uint64_t>());
    for (const auto& s : r["per_seed"]) {
      SeedSummary ss;
      ss.seed = s["seed"].get<uint64_t>();
      ss.passed = s["passed"].get<bool>();
      ss.crashed = crashed.count(ss.seed) > 0;
      ss.summary = s;
      seeds.push_back(std::move(ss));
    }
    wall_ms = std::max(wall_ms, r["wall_ms"].get<int64_t>());
    merged_from.push_back({{"report", in.path}, {"seeds", r["seeds"]}, {"wall_ms", r["wall_ms"]}});
  }
  // The range: the split's when these are shards, else from the lowest seed to the highest.
  uint64_t lo = owner.begin()->first, hi = owner.rbegin()->first;
  if (first.report.contains("shard")) {
    auto of = ParseSeedRange(first.report["shard"]["of_seeds"].get<std::string>());
    lo = of->first;
    hi = of->second;
  }
  std::vector<std::pair<uint64_t, uint64_t>> missing;
  uint64_t next = lo;
  for (const auto& [seed, i] : owner) {
    if (seed > next) missing.push_back({next, seed - 1});
    next = seed + 1;
  }
  if (next <= hi) missing.push_back({next, hi});
  if (!missing.empty()) {
    std::string shards;
    if (first.report.contains("shard")) {
      const uint64_t count = first.report["shard"]["count"].get<uint64_t>();
      std::vector<std::pair<uint64_t, uint64_t>> absent;
      for (uint64_t k = 0; k < count; ++k)
        if (!shard_owner.count(k)) {
          if (!absent.empty() && absent.back().second + 1 == k) absent.back().second = k;
          else absent.push_back({k, k});
        }
      shards = fmt::format("missing shard(s) {} of 0..{}: ", SeedRanges(absent), count - 1);
    }
    uint64_t n = 0;
    for (const auto& [a, b] : missing) n += b - a + 1;
    return Status::InvalidArgument(fmt::format(
        "{}{} seed(s) of {}..{} are in no report: {} (merge refuses gaps: run the missing seeds, or merge a "
        "range that has none)",
        shards, n, lo, hi, SeedRanges(missing)));
  }
  SweepSpec spec;
  spec.scenario_name = first.report["scenario"].get<std::string>();
  spec.scenario_path = first.report["file"].get<std::string>();
  spec.scenario_hash = first.report.value("scenario_hash", std::string());
  spec.first_seed = lo;
  spec.last_seed = hi;
  nlohmann::json j = SweepReportJson(spec, seeds, wall_ms);
  j["merged_from"] = std::move(merged_from);
  return j;
}

std::string FormatViolations(const RunResult& r) {
  if (r.violations_total == 0) return "";
  auto allowed = [&](const std::string& kind) {
    return std::find(r.allowed_violation_kinds.begin(), r.allowed_violation_kinds.end(), kind) !=
           r.allowed_violation_kinds.end();
  };
  std::string counts;
  for (const auto& [kind, n] : r.violations_by_kind) counts += fmt::format("{}{} x{}", counts.empty() ? "" : ", ", kind, n);
  std::string out = fmt::format("violations: {} ({})\n", r.violations_total, counts);
  if (!r.allowed_violation_kinds.empty())
    out += fmt::format("  expected in this scenario, so they do not fail the run: {}\n",
                       fmt::join(r.allowed_violation_kinds, ", "));
  std::map<std::string, uint64_t> shown;
  auto more = [&](const std::string& kind) {
    auto it = r.violations_by_kind.find(kind);
    uint64_t total = it == r.violations_by_kind.end() ? 0 : it->second;
    if (total > shown[kind]) out += fmt::format("  ... and {} more {}\n", total - shown[kind], kind);
  };
  for (size_t i = 0; i < r.violations.size(); ++i) {
    const Violation& v = r.violations[i];
    std::string where = v.topic.empty() ? "" : fmt::format(" {}-{}", v.topic, v.partition);
    if (v.offset >= 0) where += fmt::format(" offset={}", v.offset);
    out += fmt::format("VIOLATION {}{}{}: {}\n", v.kind, where, allowed(v.kind) ? kAllowedViolationMark : "", v.detail);
    ++shown[v.kind];
    if (i + 1 == r.violations.size() || r.violations[i + 1].kind != v.kind) more(v.kind);
  }
  // Kinds counted but none kept (a result built with max_violations_per_kind = 0).
  for (const auto& [kind, n] : r.violations_by_kind)
    if (!shown.count(kind)) more(kind);
  return out;
}

}  // namespace samsa::sim
