#include "core/base/mem_disk.h"

#include <gtest/gtest.h>

namespace samsa {
namespace {

std::string ReadAll(const MemDisk& d, std::string_view path) {
  auto r = d.Read(path, 0, 1 << 20);
  return r.ok() ? std::string(AsString(*r)) : "<" + r.status().ToString() + ">";
}

TEST(MemDiskTest, PageCacheOperations) {
  MemDisk d;
  ASSERT_TRUE(d.CreateDir("t/p-0").ok());
  EXPECT_TRUE(d.IsDir("t"));
  ASSERT_TRUE(d.Append("t/p-0/a.log", AsBytes("hello")).ok());
  EXPECT_EQ(*d.Append("t/p-0/a.log", AsBytes(" world")), 5u);
  EXPECT_EQ(ReadAll(d, "t/p-0/a.log"), "hello world");
  EXPECT_EQ(AsString(*d.Read("t/p-0/a.log", 6, 3)), "wor");
  EXPECT_TRUE(d.Read("t/p-0/a.log", 50, 3)->empty());
  ASSERT_TRUE(d.Write("t/p-0/a.log", 13, AsBytes("!")).ok());
  EXPECT_EQ(*d.FileSize("t/p-0/a.log"), 14u);
  EXPECT_EQ(d.Read("t/p-0/a.log", 11, 2)->at(0), 0);  // the gap reads as zeros
  ASSERT_TRUE(d.Truncate("t/p-0/a.log", 5).ok());
  EXPECT_EQ(ReadAll(d, "t/p-0/a.log"), "hello");
  ASSERT_TRUE(d.Rename("t/p-0/a.log", "t/p-0/b.log").ok());
  EXPECT_FALSE(d.Exists("t/p-0/a.log"));
  EXPECT_EQ(*d.List("t/p-0"), std::vector<std::string>{"b.log"});
  EXPECT_EQ(d.Remove("t/p-0").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(d.Remove("t/p-0/b.log").ok());
  ASSERT_TRUE(d.Remove("t/p-0").ok());
  EXPECT_EQ(*d.List("t"), std::vector<std::string>{});
  EXPECT_EQ(d.Read("nope", 0, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(d.Append("missing-dir/x", AsBytes("x")).status().code(), StatusCode::kNotFound);
}

TEST(MemDiskTest, CrashLosesUnsyncedDataAndNames) {
  MemDisk d;
  ASSERT_TRUE(d.CreateDir("p").ok());
  ASSERT_TRUE(d.Append("p/f", AsBytes("synced")).ok());
  d.SyncAll("p/f");
  ASSERT_TRUE(d.Append("p/f", AsBytes("+lost")).ok());
  ASSERT_TRUE(d.Append("p/new", AsBytes("never synced")).ok());
  d.Crash();
  EXPECT_EQ(ReadAll(d, "p/f"), "synced");
  EXPECT_FALSE(d.Exists("p/new"));
}

// Syncing a new file's content is not enough: its name is durable only once its directory is,
// and a new directory's only once its parent is (as on Linux).
TEST(MemDiskTest, NewFileOrDirectoryNeedsItsParentSynced) {
  MemDisk d;
  ASSERT_TRUE(d.CreateDir("root").ok());
  d.SyncAll("root");
  ASSERT_TRUE(d.Append("root/file", AsBytes("content")).ok());
  d.CompleteSync(d.RequestSync("root/file"));  // the content, not the name
  ASSERT_TRUE(d.CreateDir("root/dir").ok());
  ASSERT_TRUE(d.Append("root/dir/inner", AsBytes("x")).ok());
  d.CompleteSync(d.RequestSync("root/dir/inner"));
  d.CompleteSync(d.RequestSync("root/dir"));  // dir's entries, but not dir's own name in root
  d.Crash();
  EXPECT_TRUE(d.Exists("root"));
  EXPECT_FALSE(d.Exists("root/file"));
  EXPECT_FALSE(d.Exists("root/dir"));
  EXPECT_FALSE(d.Exists("root/dir/inner"));
  // The same steps plus the parent's sync keep both.
  ASSERT_TRUE(d.Append("root/file", AsBytes("content")).ok());
  d.CompleteSync(d.RequestSync("root/file"));
  ASSERT_TRUE(d.CreateDir("root/dir").ok());
  ASSERT_TRUE(d.Append("root/dir/inner", AsBytes("x")).ok());
  d.CompleteSync(d.RequestSync("root/dir/inner"));
  d.CompleteSync(d.RequestSync("root/dir"));
  d.CompleteSync(d.RequestSync("root"));
  d.Crash();
  EXPECT_EQ(ReadAll(d, "root/file"), "content");
  EXPECT_EQ(ReadAll(d, "root/dir/inner"), "x");
}

TEST(MemDiskTest, SyncCoversContentAsOfRequestAndOnlyWhenCompleted) {
  MemDisk d;
  ASSERT_TRUE(d.Append("f", AsBytes("a")).ok());
  d.SyncAll("");  // make the name durable
  ASSERT_TRUE(d.Append("f", AsBytes("b")).ok());
  SyncId s = d.RequestSync("f");
  ASSERT_TRUE(d.Append("f", AsBytes("c")).ok());
  EXPECT_EQ(d.PendingSyncs().size(), 1u);
  // The sync covers "ab" (its request time), not the later "c".
  d.CompleteSync(s);
  d.Crash();
  EXPECT_EQ(ReadAll(d, "f"), "ab");
}

TEST(MemDiskTest, PendingSyncIsLostOnCrash) {
  MemDisk d;
  ASSERT_TRUE(d.Append("f", AsBytes("x")).ok());
  d.SyncAll("f");
  ASSERT_TRUE(d.Append("f", AsBytes("y")).ok());
  d.RequestSync("f");
  d.Crash();
  EXPECT_EQ(ReadAll(d, "f"), "x");
  EXPECT_TRUE(d.PendingSyncs().empty());
}

TEST(MemDiskTest, RenameIsDurableOnlyAfterDirectorySync) {
  MemDisk d;
  ASSERT_TRUE(d.Append("tmp", AsBytes("v1")).ok());
  d.SyncAll("tmp");
  ASSERT_TRUE(d.Rename("tmp", "final").ok());
  d.Crash();
  EXPECT_TRUE(d.Exists("tmp"));
  EXPECT_FALSE(d.Exists("final"));
  ASSERT_TRUE(d.Rename("tmp", "final").ok());
  d.CompleteSync(d.RequestSync(""));
  d.Crash();
  EXPECT_EQ(ReadAll(d, "final"), "v1");
  EXPECT_FALSE(d.Exists("tmp"));
}

TEST(MemDiskTest, TornTailIsASectorPrefixOfTheUnsyncedAppend) {
  for (uint64_t seed = 0; seed < 200; ++seed) {
    MemDisk d;
    Bytes base(700, 'a');
    ASSERT_TRUE(d.Append("f", base).ok());
    d.SyncAll("f");
    Bytes tail(3000);
    for (size_t i = 0; i < tail.size(); ++i) tail[i] = uint8_t('0' + i % 10);
    ASSERT_TRUE(d.Append("f", tail).ok());
    Prng p(seed);
    d.Crash(&p);
    Bytes after = *d.Read("f", 0, 1 << 20);
    ASSERT_GE(after.size(), base.size());
    ASSERT_LE(after.size(), base.size() + tail.size());
    // What survives is a prefix of what was written.
    for (size_t i = 0; i < after.size(); ++i)
      ASSERT_EQ(after[i], i < base.size() ? base[i] : tail[i - base.size()]) << "seed " << seed;
  }
}

TEST(MemDiskTest, StopAfterOpsFailsLaterMutations) {
  MemDisk d;
  d.StopAfterOps(2);
  EXPECT_TRUE(d.Append("a", AsBytes("1")).ok());
  EXPECT_TRUE(d.Append("a", AsBytes("2")).ok());
  EXPECT_EQ(d.Append("a", AsBytes("3")).status().code(), StatusCode::kIoError);
  EXPECT_EQ(ReadAll(d, "a"), "12");
  d.ClearFault();
  EXPECT_TRUE(d.Append("a", AsBytes("3")).ok());
}

TEST(MemDiskTest, CapacityGivesNoSpace) {
  MemDisk d;
  d.set_capacity_bytes(10);
  EXPECT_TRUE(d.Append("a", Bytes(8, 1)).ok());
  EXPECT_EQ(d.Append("a", Bytes(3, 1)).status().code(), StatusCode::kNoSpace);
  EXPECT_EQ(*d.FileSize("a"), 8u);
}

}  // namespace
}  // namespace samsa

namespace samsa {
namespace {

// Regression (found by the partition-log crash test): an older sync completing after a newer
// one of the same file must not roll durable content back.
TEST(MemDiskTest, OutOfOrderSyncCompletionNeverMovesDurableBackwards) {
  MemDisk d;
  ASSERT_TRUE(d.Append("f", AsBytes("a")).ok());
  d.SyncAll("");
  SyncId old_sync = d.RequestSync("f");
  ASSERT_TRUE(d.Append("f", AsBytes("b")).ok());
  SyncId new_sync = d.RequestSync("f");
  d.CompleteSync(new_sync);
  d.CompleteSync(old_sync);
  d.Crash();
  EXPECT_EQ(AsString(*d.Read("f", 0, 10)), "ab");
}

// A directory sync copies only the entries changed since the durable directory last took it
// (Dir::dirty): what it leaves out must already be durable, and what changed after the request
// must stay unsynced.
TEST(MemDiskTest, DirectorySyncsOfChangedEntriesKeepTheRestDurable) {
  MemDisk d;
  ASSERT_TRUE(d.CreateDir("p").ok());
  for (const char* f : {"p/a", "p/b", "p/c"}) ASSERT_TRUE(d.Append(f, AsBytes("x")).ok());
  d.SyncAll("p/a");  // p/a's content, p and the root
  ASSERT_TRUE(d.Remove("p/a").ok());
  ASSERT_TRUE(d.Rename("p/b", "p/b2").ok());
  ASSERT_TRUE(d.Append("p/d", AsBytes("x")).ok());
  SyncId delta = d.RequestSync("p");
  ASSERT_TRUE(d.Append("p/e", AsBytes("x")).ok());  // after the request: not covered
  ASSERT_TRUE(d.Remove("p/c").ok());                // nor this
  d.CompleteSync(delta);
  d.Crash();
  EXPECT_EQ(*d.List("p"), (std::vector<std::string>{"b2", "c", "d"}));
  // The names changed after that request were still pending: a further sync takes them.
  ASSERT_TRUE(d.Append("p/e", AsBytes("x")).ok());
  ASSERT_TRUE(d.Remove("p/c").ok());
  d.CompleteSync(d.RequestSync("p"));
  d.Crash();
  EXPECT_EQ(*d.List("p"), (std::vector<std::string>{"b2", "d", "e"}));
}

// A directory removed and made again at the same path is a new directory: its first sync takes
// all its entries, and none of the old one's stays durable.
TEST(MemDiskTest, ARecreatedDirectoryKeepsNoneOfTheOldOnesEntries) {
  MemDisk d;
  ASSERT_TRUE(d.CreateDir("t/p").ok());
  ASSERT_TRUE(d.Append("t/p/old", AsBytes("x")).ok());
  d.SyncAll("t/p/old");
  ASSERT_TRUE(d.Remove("t/p/old").ok());
  ASSERT_TRUE(d.Remove("t/p").ok());
  ASSERT_TRUE(d.CreateDir("t/p").ok());
  ASSERT_TRUE(d.Append("t/p/new", AsBytes("y")).ok());
  d.SyncAll("t/p/new");
  d.Crash();
  EXPECT_EQ(*d.List("t/p"), std::vector<std::string>{"new"});
  // A durable directory dropped by its parent's sync (asked while the directory was gone) takes
  // the live one's entries whole at its next sync, not only those changed since.
  ASSERT_TRUE(d.Remove("t/p/new").ok());
  ASSERT_TRUE(d.Remove("t/p").ok());
  SyncId parent_without = d.RequestSync("t");
  ASSERT_TRUE(d.CreateDir("t/p").ok());
  ASSERT_TRUE(d.Append("t/p/again", AsBytes("w")).ok());
  d.CompleteSync(d.RequestSync("t/p"));  // the durable t/p holds "again"
  d.CompleteSync(parent_without);        // and is dropped
  ASSERT_TRUE(d.Append("t/p/more", AsBytes("z")).ok());
  d.SyncAll("t/p/more");
  d.Crash();
  EXPECT_EQ(*d.List("t/p"), (std::vector<std::string>{"again", "more"}));
}

// After a writeback (everything durable) and after a crash, a directory's next sync takes only
// what changed since, and the rest stays.
TEST(MemDiskTest, AfterAWritebackOrACrashADirectorySyncKeepsTheRest) {
  MemDisk d;
  d.EnableWritebackTracking();
  ASSERT_TRUE(d.CreateDir("p").ok());
  ASSERT_TRUE(d.Append("p/a", AsBytes("x")).ok());
  EXPECT_TRUE(d.WritebackAll());
  ASSERT_TRUE(d.Append("p/b", AsBytes("x")).ok());
  d.CompleteSync(d.RequestSync("p"));
  d.Crash();
  EXPECT_EQ(*d.List("p"), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(d.Append("p/c", AsBytes("x")).ok());
  ASSERT_TRUE(d.Remove("p/a").ok());
  d.CompleteSync(d.RequestSync("p"));
  d.Crash();
  EXPECT_EQ(*d.List("p"), (std::vector<std::string>{"b", "c"}));
}

TEST(MemDiskTest, OutOfOrderDirectorySyncKeepsNewerEntries) {
  MemDisk d;
  SyncId old_sync = d.RequestSync("");
  ASSERT_TRUE(d.Append("f", AsBytes("x")).ok());
  SyncId new_sync = d.RequestSync("");
  d.CompleteSync(new_sync);
  d.CompleteSync(old_sync);
  d.Crash();
  EXPECT_TRUE(d.Exists("f"));
}

}  // namespace
}  // namespace samsa

// ---------------------------------------------------------------------------------------------
// ChunkedBytes (MemDisk's file contents) and the MemDisk paths built on it: reads into a caller's
// buffer, lazy sync snapshots, the path cache.

#include "core/base/chunked_bytes.h"

namespace samsa {
namespace {

constexpr size_t kChunk = ChunkedBytes::kChunkBytes;

// A pattern that differs at every position within a few chunks.
Bytes Pattern(size_t n, uint32_t seed = 0) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t((i * 131 + seed * 7 + (i >> 11)) & 0xff);
  return b;
}

Bytes Slice(const ChunkedBytes& c, uint64_t offset, size_t n) {
  Bytes out;
  c.CopyTo(offset, n, out);
  return out;
}

TEST(ChunkedBytesTest, AppendsAndReadsAcrossChunkBoundaries) {
  Bytes flat;
  ChunkedBytes c;
  // Pieces of awkward sizes, so appends end inside chunks and straddle their boundaries.
  for (size_t piece : {size_t(1), kChunk - 1, size_t(2), kChunk, size_t(3), 2 * kChunk + 5, size_t(0)}) {
    Bytes data = Pattern(piece, uint32_t(flat.size()));
    c.Append(data);
    flat.insert(flat.end(), data.begin(), data.end());
    ASSERT_EQ(c.size(), flat.size());
  }
  EXPECT_EQ(c.ToBytes(), flat);
  for (uint64_t offset : {uint64_t(0), uint64_t(kChunk - 1), uint64_t(kChunk), uint64_t(2 * kChunk - 3)}) {
    for (size_t n : {size_t(0), size_t(1), size_t(7), kChunk + 9}) {
      Bytes want(flat.begin() + int64_t(offset), flat.begin() + int64_t(offset + n));
      EXPECT_EQ(Slice(c, offset, n), want) << offset << "+" << n;
    }
  }
  // CopyTo appends to what the buffer holds.
  Bytes out = {9, 9};
  c.CopyTo(kChunk - 1, 2, out);
  EXPECT_EQ(out, (Bytes{9, 9, flat[kChunk - 1], flat[kChunk]}));
}

TEST(ChunkedBytesTest, ResizeOverwriteAndCompare) {
  Bytes flat = Pattern(3 * kChunk + 100);
  ChunkedBytes c(flat);
  // Shrink into the middle of a chunk, to a chunk boundary, then grow with zeros.
  c.Resize(2 * kChunk + 10);
  flat.resize(2 * kChunk + 10);
  EXPECT_EQ(c.ToBytes(), flat);
  c.Resize(kChunk);
  flat.resize(kChunk);
  EXPECT_EQ(c.ToBytes(), flat);
  c.Resize(2 * kChunk + 3);
  flat.resize(2 * kChunk + 3, 0);
  EXPECT_EQ(c.ToBytes(), flat);
  c.Resize(0);
  EXPECT_TRUE(c.empty());
  EXPECT_TRUE(c.ToBytes().empty());

  flat = Pattern(2 * kChunk + 50, 3);
  c = ChunkedBytes(flat);
  Bytes patch = Pattern(40, 9);
  c.Overwrite(kChunk - 20, patch);  // straddles the first boundary
  std::copy(patch.begin(), patch.end(), flat.begin() + int64_t(kChunk - 20));
  EXPECT_EQ(c.ToBytes(), flat);
  c.at(kChunk) ^= 0xff;
  flat[kChunk] ^= 0xff;
  EXPECT_EQ(c.ToBytes(), flat);

  ChunkedBytes prefix;
  prefix.AssignPrefix(c, kChunk + 1);
  EXPECT_TRUE(c.StartsWith(prefix));
  EXPECT_FALSE(prefix.StartsWith(c));
  EXPECT_TRUE(c.StartsWith(ChunkedBytes()));
  prefix.at(kChunk) ^= 1;
  EXPECT_FALSE(c.StartsWith(prefix));
  EXPECT_EQ(c.ToBytes(), flat) << "changing the prefix copy leaves the original";
  EXPECT_TRUE(ChunkedBytes(flat) == c);
  EXPECT_FALSE(prefix == c);
}

// Copies share chunks; whatever either side does afterwards, the other keeps its own bytes.
TEST(ChunkedBytesTest, CopiesAreIndependentValues) {
  Bytes base = Pattern(2 * kChunk + 100, 5);
  ChunkedBytes a(base);
  ChunkedBytes b = a;  // shares every chunk
  Bytes more = Pattern(300, 6);
  a.Append(more);  // in place at the end of the shared tail chunk
  EXPECT_EQ(b.ToBytes(), base);
  Bytes a_flat = base;
  Append(a_flat, more);
  EXPECT_EQ(a.ToBytes(), a_flat);
  Bytes other = Pattern(50, 7);
  b.Append(other);  // a appended past b's end in the shared chunk: b must copy before writing
  Bytes b_flat = base;
  Append(b_flat, other);
  EXPECT_EQ(b.ToBytes(), b_flat);
  EXPECT_EQ(a.ToBytes(), a_flat);

  // Shrinking a shared copy, then growing it again.
  ChunkedBytes c = a;
  c.Resize(kChunk + 10);
  c.Append(AsBytes("xyz"));
  Bytes c_flat(a_flat.begin(), a_flat.begin() + int64_t(kChunk + 10));
  Append(c_flat, AsBytes("xyz"));
  EXPECT_EQ(c.ToBytes(), c_flat);
  EXPECT_EQ(a.ToBytes(), a_flat);
  c.Resize(3 * kChunk);  // zeros, past a's chunks too
  c_flat.resize(3 * kChunk, 0);
  EXPECT_EQ(c.ToBytes(), c_flat);
  EXPECT_EQ(a.ToBytes(), a_flat);

  // Overwrites and bit flips touch one side only.
  ChunkedBytes d = a;
  d.Overwrite(kChunk - 2, AsBytes("ABCD"));
  d.at(5) = 0xee;
  Bytes d_flat = a_flat;
  std::copy_n(AsBytes("ABCD").begin(), 4, d_flat.begin() + int64_t(kChunk - 2));
  d_flat[5] = 0xee;
  EXPECT_EQ(d.ToBytes(), d_flat);
  EXPECT_EQ(a.ToBytes(), a_flat);
  a.Overwrite(0, AsBytes("Q"));
  EXPECT_EQ(d.ToBytes(), d_flat);

  // AssignPrefix: a prefix that later diverges from its source.
  ChunkedBytes e;
  e.AssignPrefix(a, kChunk + 7);
  a.Resize(kChunk + 3);
  a.Append(AsBytes("tail"));
  Bytes e_flat = a_flat;
  e_flat[0] = 'Q';
  e_flat.resize(kChunk + 7);
  EXPECT_EQ(e.ToBytes(), e_flat);
  e.AssignPrefix(e, 10);  // onto itself: a shrink
  EXPECT_EQ(e.ToBytes(), Bytes(e_flat.begin(), e_flat.begin() + 10));
  // The sole holder of a chunk another copy had appended to drops those bytes before appending.
  ChunkedBytes f(AsBytes("abc"));
  {
    ChunkedBytes g = f;
    g.Append(AsBytes("def"));  // in place: f's chunk now holds "abcdef", f still reads "abc"
    EXPECT_EQ(AsString(f.ToBytes()), "abc");
  }
  f.Append(AsBytes("XY"));
  EXPECT_EQ(AsString(f.ToBytes()), "abcXY");
}

TEST(MemDiskTest, ReadAppendAddsToTheCallersBuffer) {
  MemDisk d;
  ASSERT_TRUE(d.Append("f", AsBytes("hello world")).ok());
  Bytes out = ToBytes(">");
  EXPECT_EQ(*d.ReadAppend("f", 6, 3, out), 3u);
  EXPECT_EQ(AsString(out), ">wor");
  EXPECT_EQ(*d.ReadAppend("f", 9, 100, out), 2u);  // short at the end of the file
  EXPECT_EQ(AsString(out), ">world");
  EXPECT_EQ(*d.ReadAppend("f", 11, 5, out), 0u);  // at or past the end: nothing
  EXPECT_EQ(*d.ReadAppend("f", 50, 5, out), 0u);
  EXPECT_EQ(d.ReadAppend("nope", 0, 1, out).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(AsString(out), ">world") << "a failed read leaves the buffer alone";
  // The same bytes as Read, also for a file of several chunks.
  Bytes big = Pattern(2 * kChunk + 77);
  ASSERT_TRUE(d.Append("big", big).ok());
  Bytes got;
  ASSERT_EQ(*d.ReadAppend("big", kChunk - 5, kChunk + 10, got), kChunk + 10);
  EXPECT_EQ(got, *d.Read("big", kChunk - 5, kChunk + 10));
  EXPECT_EQ(got, Bytes(big.begin() + int64_t(kChunk - 5), big.begin() + int64_t(2 * kChunk + 5)));
}

TEST(MemDiskTest, SyncCoversRequestTimeContentDespiteLaterTruncateAndWrite) {
  // A sync's snapshot is taken lazily; a later truncate or overwrite must not leak into it.
  MemDisk d;
  Bytes first = Pattern(kChunk + 300, 1);
  ASSERT_TRUE(d.Append("f", first).ok());
  d.SyncAll("");  // the name
  SyncId s1 = d.RequestSync("f");
  ASSERT_TRUE(d.Truncate("f", 10).ok());
  ASSERT_TRUE(d.Append("f", AsBytes("new tail")).ok());
  SyncId s2 = d.RequestSync("f");
  ASSERT_TRUE(d.Write("f", 2, AsBytes("XY")).ok());
  d.CompleteSync(s1);
  d.Crash();
  EXPECT_EQ(*d.Read("f", 0, 1 << 20), first) << "s1 covers the content at its request";

  MemDisk e;
  ASSERT_TRUE(e.Append("f", first).ok());
  e.SyncAll("");
  s1 = e.RequestSync("f");
  ASSERT_TRUE(e.Truncate("f", 10).ok());
  ASSERT_TRUE(e.Append("f", AsBytes("new tail")).ok());
  s2 = e.RequestSync("f");
  ASSERT_TRUE(e.Write("f", 2, AsBytes("XY")).ok());
  e.CompleteSync(s1);
  e.CompleteSync(s2);
  Bytes want(first.begin(), first.begin() + 10);
  Append(want, AsBytes("new tail"));
  e.Crash();
  EXPECT_EQ(*e.Read("f", 0, 1 << 20), want) << "s2 covers the truncated file, not the later write";
}

TEST(MemDiskTest, SyncsOfAGrowingFileKeepEachRequestsLength) {
  MemDisk d;
  Bytes all;
  std::vector<std::pair<SyncId, size_t>> syncs;
  for (int i = 0; i < 5; ++i) {
    Bytes piece = Pattern(kChunk / 2 + 17, uint32_t(i));
    ASSERT_TRUE(d.Append("f", piece).ok());
    if (i == 0) d.CompleteSync(d.RequestSync(""));  // the name
    Append(all, piece);
    syncs.push_back({d.RequestSync("f"), all.size()});
  }
  ASSERT_TRUE(d.Append("f", AsBytes("unsynced")).ok());
  // Complete them in order: durable is exactly the prefix each one was requested at.
  for (auto [id, size] : syncs) {
    d.CompleteSync(id);
    ASSERT_EQ(*d.DurableSize("f"), size);
  }
  d.Crash();
  EXPECT_EQ(*d.Read("f", 0, 1 << 22), all);
  // After a crash the next sync starts from the surviving content.
  ASSERT_TRUE(d.Append("f", AsBytes("more")).ok());
  d.CompleteSync(d.RequestSync("f"));
  Append(all, AsBytes("more"));
  d.Crash();
  EXPECT_EQ(*d.Read("f", 0, 1 << 22), all);
}

TEST(MemDiskTest, BitFlipThenSyncLeavesTheSyncedContent) {
  MemDisk d;
  Bytes data = Pattern(kChunk + 10);
  ASSERT_TRUE(d.Append("f", data).ok());
  d.SyncAll("f");
  ASSERT_TRUE(d.FlipDurableBit("f", kChunk + 1, 3).ok());
  ASSERT_TRUE(d.Append("f", AsBytes("z")).ok());
  d.CompleteSync(d.RequestSync("f"));  // rewrites durable from the live content
  d.Crash();
  Append(data, AsBytes("z"));
  EXPECT_EQ(*d.Read("f", 0, 1 << 20), data);
}

TEST(MemDiskTest, PathLookupsFollowRenamesRemovalsAndCrashes) {
  MemDisk d;
  ASSERT_TRUE(d.CreateDir("p").ok());
  ASSERT_TRUE(d.Append("p/a", AsBytes("A")).ok());
  ASSERT_TRUE(d.Append("/p/b/", AsBytes("B")).ok());  // another spelling of p/b
  EXPECT_EQ(ReadAll(d, "p/b"), "B");
  ASSERT_TRUE(d.Rename("p/a", "p/b").ok());  // replaces b
  EXPECT_FALSE(d.Exists("p/a"));
  EXPECT_EQ(ReadAll(d, "p/b"), "A");
  EXPECT_EQ(d.Read("p/a", 0, 1).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(d.Append("p/a", AsBytes("fresh")).ok());
  EXPECT_EQ(ReadAll(d, "p/a"), "fresh");
  ASSERT_TRUE(d.Remove("p/b").ok());
  EXPECT_EQ(d.FileSize("p/b").status().code(), StatusCode::kNotFound);
  d.SyncAll("p/a");
  ASSERT_TRUE(d.Append("p/b", AsBytes("again")).ok());
  EXPECT_EQ(ReadAll(d, "p/b"), "again");
  d.Crash();  // the new p/b was never made durable
  EXPECT_EQ(ReadAll(d, "p/a"), "fresh");
  EXPECT_FALSE(d.Exists("p/b"));
  EXPECT_EQ(d.Append("p", AsBytes("x")).status().code(), StatusCode::kInvalidArgument) << "a directory";
}

// A file memo skips the path lookup while the path names the same file, and follows the path
// (never the old file) once a rename, removal or crash rebinds it.
TEST(MemDiskTest, FileMemosFollowRenamesRemovalsAndCrashes) {
  MemDisk d;
  ASSERT_TRUE(d.CreateDir("p").ok());
  Disk::FileMemo memo;
  auto read_via = [&](std::string_view path) {
    auto r = d.ReadVia(memo, path, 0, 1 << 20);
    return r.ok() ? std::string(AsString(*r)) : "<" + r.status().ToString() + ">";
  };
  EXPECT_EQ(*d.AppendVia(memo, "p/a", AsBytes("one")), 0u);  // creates p/a
  EXPECT_EQ(*d.AppendVia(memo, "p/a", AsBytes("two")), 3u);
  EXPECT_EQ(read_via("p/a"), "onetwo");
  EXPECT_EQ(ReadAll(d, "p/a"), "onetwo");

  // p/b replaces p/a: the memo's next use finds the new file.
  ASSERT_TRUE(d.Append("p/b", AsBytes("B")).ok());
  ASSERT_TRUE(d.Rename("p/b", "p/a").ok());
  EXPECT_EQ(read_via("p/a"), "B");
  ASSERT_TRUE(d.AppendVia(memo, "p/a", AsBytes("+")).ok());
  EXPECT_EQ(ReadAll(d, "p/a"), "B+");

  // Removed: a read through the memo fails as a plain one does; an append makes a new file.
  ASSERT_TRUE(d.Remove("p/a").ok());
  EXPECT_EQ(d.ReadVia(memo, "p/a", 0, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*d.AppendVia(memo, "p/a", AsBytes("new")), 0u);
  EXPECT_EQ(ReadAll(d, "p/a"), "new");

  // A crash brings back the durable file, a new object: the memo follows.
  d.SyncAll("p/a");
  ASSERT_TRUE(d.AppendVia(memo, "p/a", AsBytes(" lost")).ok());
  d.Crash();
  EXPECT_EQ(read_via("p/a"), "new");
  ASSERT_TRUE(d.AppendVia(memo, "p/a", AsBytes("!")).ok());
  EXPECT_EQ(ReadAll(d, "p/a"), "new!");

  // A memo filled by one disk never holds on another.
  MemDisk other;
  ASSERT_TRUE(other.CreateDir("p").ok());
  ASSERT_TRUE(other.Append("p/a", AsBytes("other")).ok());
  auto r = other.ReadVia(memo, "p/a", 0, 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(AsString(*r), "other");
  EXPECT_EQ(ReadAll(d, "p/a"), "new!");
}

}  // namespace
}  // namespace samsa

// ---------------------------------------------------------------------------------------------
// PathTable (MemDisk's path cache): the same answers as a std::unordered_map under random
// inserts, replacements and erasures, with keys that collide on their home slot, keys that wrap
// around the end of the table, and keys too long to be stored inline.

#include <unordered_map>

#include "core/base/path_table.h"
#include "core/base/prng.h"

namespace samsa {
namespace {

TEST(PathTableTest, MatchesAnUnorderedMap) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Prng p(seed);
    PathTable<int> table;
    std::unordered_map<std::string, int> want;
    auto key_of = [&](uint64_t k) {
      std::string s = "data/topic-" + std::to_string(k % 37) + "/" + std::string(20, '0') + std::to_string(k);
      if (k % 11 == 0) s += std::string(120, 'x');  // past the inline limit
      if (k % 13 == 0) s = std::to_string(k);       // short
      return s;
    };
    for (int op = 0; op < 3000; ++op) {
      std::string key = key_of(p.Uniform(300));
      switch (p.Uniform(3)) {
        case 0:
        case 1: {
          int v = int(p.Uniform(1000));
          table.Insert(key, v);
          want[key] = v;
          break;
        }
        case 2:
          ASSERT_EQ(table.Erase(key), want.erase(key) > 0) << key;
          break;
      }
      ASSERT_EQ(table.size(), want.size());
      if (op % 100 == 0) {
        for (uint64_t k = 0; k < 300; ++k) {
          std::string probe = key_of(k);
          int* got = table.Find(probe);
          auto it = want.find(probe);
          ASSERT_EQ(got != nullptr, it != want.end()) << "seed " << seed << " op " << op << " " << probe;
          if (got != nullptr) {
            ASSERT_EQ(*got, it->second);
          }
        }
      }
    }
    table.Clear();
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.Find(key_of(1)), nullptr);
    table.Insert("a", 1);
    EXPECT_EQ(*table.Find("a"), 1);
    EXPECT_EQ(table.Find(""), nullptr);
    table.Insert("", 2);
    EXPECT_EQ(*table.Find(""), 2);
  }
}

// OS writeback: everything written becomes durable without a sync request, names included; an
// older sync completing afterwards does not move durable content back, a newer one still applies.
// With tracking the same happens, touching only what was written (and a removed directory stays
// removed).
TEST(MemDiskTest, WritebackAllMakesEverythingDurable) {
  for (bool tracking : {false, true}) {
    SCOPED_TRACE(tracking ? "tracking" : "walking every file");
    MemDisk d;
    if (tracking) d.EnableWritebackTracking();
    ASSERT_TRUE(d.CreateDir("t/p-0").ok());
    ASSERT_TRUE(d.CreateDir("gone").ok());
    ASSERT_TRUE(d.Append("t/p-0/a.log", AsBytes("v1")).ok());
    SyncId old_sync = d.RequestSync("t/p-0/a.log");  // content "v1"
    SyncId old_dir_sync = d.RequestSync("");         // lists "gone"
    ASSERT_TRUE(d.Write("t/p-0/a.log", 0, AsBytes("v2")).ok());
    ASSERT_TRUE(d.Remove("gone").ok());
    if (tracking) {
      EXPECT_TRUE(d.dirty());
    }
    EXPECT_TRUE(d.WritebackAll());
    if (tracking) {
      EXPECT_FALSE(d.dirty());
    }
    EXPECT_EQ(*d.DurableSize("t/p-0/a.log"), 2u);
    d.CompleteSync(old_sync);  // stale: "v1" must not come back
    d.CompleteSync(old_dir_sync);
    ASSERT_TRUE(d.Append("t/p-0/a.log", AsBytes("+")).ok());
    d.CompleteSync(d.RequestSync("t/p-0/a.log"));  // newer than the writeback: applies
    ASSERT_TRUE(d.Write("t/p-0/a.log", 0, AsBytes("XX")).ok());  // never written back
    d.Crash();
    EXPECT_EQ(ReadAll(d, "t/p-0/a.log"), "v2+");
    EXPECT_FALSE(d.Exists("gone"));
    EXPECT_FALSE(d.WritebackAll());  // nothing dirty after a crash
    ASSERT_TRUE(d.Write("t/p-0/a.log", 0, AsBytes("v5")).ok());  // tracked again after the crash
    if (tracking) {
      EXPECT_TRUE(d.dirty());
    }
    EXPECT_TRUE(d.WritebackAll());
    d.Crash();
    EXPECT_EQ(ReadAll(d, "t/p-0/a.log"), "v5+");
  }
}

}  // namespace
}  // namespace samsa
