// The exit codes of `evalflow run` (README "Exit codes"), for scripts and schedulers to trust.
#pragma once

namespace evalflow::cli {

inline constexpr int kExitOk = 0;             // every sample of every dataset completed and was scored
inline constexpr int kExitSamplesFailed = 1;  // the run ended, but some samples failed (inference or scoring)
inline constexpr int kExitUsage = 2;          // invalid pipeline, options or command line; nothing ran
inline constexpr int kExitIncomplete =
    3;  // interrupted, stopped by a fatal error, or datasets not read to the end
inline constexpr int kExitExpectedFailed = 4;  // --check-expected: a figure is outside its expected range

}  // namespace evalflow::cli
