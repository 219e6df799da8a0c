package io.specwatch.monitor;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Lowers the CPU priority of the calling thread on Linux (Linux schedules threads individually,
 * and threads the analysis thread starts, like native BLAS workers, inherit its priority). Java
 * has no portable way to do this; elsewhere it is a no-op.
 */
final class ThreadPriority {

    private static final int PRIO_PROCESS = 0;
    private static final int SCHED_IDLE = 5;
    private static final int LOWEST_NICE = 19;

    private ThreadPriority() {
    }

    /** The C library calls used; syscall(SYS_gettid) because glibc before 2.30 has no gettid(). */
    interface LibC extends Library {
        int syscall(int number);

        int setpriority(int which, int who, int priority);

        /** pid 0 is the calling thread; param points to struct sched_param { int sched_priority; }. */
        int sched_setscheduler(int pid, int policy, int[] param);
    }

    /**
     * Applies {@code priority} to the calling thread.
     *
     * @return true when something was changed
     * @throws IllegalStateException when a platform call failed
     */
    static boolean applyToCurrentThread(AnalysisPriority priority) {
        if (priority == AnalysisPriority.NORMAL || !Platform.isLinux()) {
            return false;
        }
        int gettid = Platform.isARM() ? 178 : 186; // SYS_gettid on aarch64 / x86_64
        LibC libc = Native.load("c", LibC.class);
        int tid = libc.syscall(gettid);
        // nice 19 first: should SCHED_IDLE be refused, the thread still runs at the lowest normal priority
        if (tid <= 0 || libc.setpriority(PRIO_PROCESS, tid, LOWEST_NICE) != 0) {
            throw new IllegalStateException("setpriority failed for thread " + tid);
        }
        if (priority == AnalysisPriority.IDLE && libc.sched_setscheduler(0, SCHED_IDLE, new int[] {0}) != 0) {
            throw new IllegalStateException("sched_setscheduler(SCHED_IDLE) failed for thread " + tid
                    + " (it stays at nice 19)");
        }
        return true;
    }
}
