// One writer per run: a second process on the same run gets a plain message naming the first one's pid; the claim
// goes when its holder ends (however it ends), and claims on other runs of the same database do not collide.
#include "store/run_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "core/scratch_dir.h"
#include "util/error.h"

using dpn::store::RunLock;

TEST(RunLock, SecondProcessOnTheSameRunIsToldWhoRunsIt) {
  const std::string db = (dpn::test::scratch_dir("runlock") / "runs.sqlite").string();
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // holds run 7 until the parent says so
    {
      RunLock lock(db, {{7, "dpn"}});
      char c = 1;
      if (::write(ready[1], &c, 1) != 1) ::_exit(2);
      if (::read(done[0], &c, 1) != 1) ::_exit(3);
    }
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  try {
    RunLock second(db, {{3, "none"}, {7, "dpn"}});
    FAIL() << "a run claimed by another process was claimed again";
  } catch (const dpn::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("another process (pid " + std::to_string(child) + ") is running this run"), std::string::npos) << m;
    EXPECT_NE(m.find("run 7"), std::string::npos) << m;
  }
  { RunLock other(db, {{3, "none"}}); }  // all or none: run 3 was released when run 7 failed
  ASSERT_EQ(::write(done[1], &c, 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  RunLock after(db, {{7, "dpn"}});  // the holder ended: free again
  EXPECT_THROW(RunLock(db, {{7, "dpn"}}), dpn::Error);  // the same process twice is refused too
}
