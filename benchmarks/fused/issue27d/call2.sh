#!/usr/bin/env bash
# (Written on benchmarks/fused/device_call.sh since it ran; the script as it ran is the one in commit 7cbdff8.)
# Device call 2 (NVIDIA H200), 2026-12-02 night: the whole shape sweep again, as in call 1 (rotated rounds, each path's
# timed calls filling >= 0.25 s per round, 11 rounds), with a deadline that leaves room for the 64^3 rows; call 1 lost
# its sweep JSON (the device returns at most 8 files: everything here is packed into one archive). Run from a copy of
# the repository root with OUT set.
source benchmarks/fused/device_call.sh call2
sweep sweep ${ROWS:-1,8,2,5,3,7,0,6,4,9,10} ${D_SWEEP:-360}
stamp
