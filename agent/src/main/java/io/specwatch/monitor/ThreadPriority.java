package io.specwatch.monitor;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Lowers the CPU priority of the calling thread on Linux (its own nice value; Linux schedules
 * threads individually), so the analysis only uses CPU time the training job leaves idle. Java
 * has no portable way to do this; elsewhere it is a no-op.
 */
final class ThreadPriority {

    private static final int PRIO_PROCESS = 0;

    private ThreadPriority() {
    }

    /** The C library calls used; syscall(SYS_gettid) because glibc before 2.30 has no gettid(). */
    interface LibC extends Library {
        int syscall(int number);

        int setpriority(int which, int who, int priority);
    }

    /**
     * Sets the calling thread's nice value (0 to 19; 19 is the lowest priority). (The SCHED_IDLE
     * class was tried as well and measured no better; see docs/benchmarks.md.)
     *
     * @return true when it was applied
     * @throws IllegalStateException when the platform call failed
     */
    static boolean lowerCurrentThread(int nice) {
        if (nice <= 0 || !Platform.isLinux()) {
            return false;
        }
        int gettid = Platform.isARM() ? 178 : 186; // SYS_gettid on aarch64 / x86_64
        LibC libc = Native.load("c", LibC.class);
        int tid = libc.syscall(gettid);
        if (tid <= 0 || libc.setpriority(PRIO_PROCESS, tid, Math.min(19, nice)) != 0) {
            throw new IllegalStateException("setpriority failed for thread " + tid);
        }
        return true;
    }
}
