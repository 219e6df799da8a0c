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

        int sched_setscheduler(int pid, int policy, int[] param);
    }

    private static final int SCHED_IDLE = 5;

    /**
     * Sets the calling thread's nice value (0 to 19). At 19 the thread also joins the SCHED_IDLE
     * class: the kernel then never preempts a running training thread to run it, which matters
     * when the training job's threads synchronise at every operator (one preempted intra-op
     * thread stalls them all), as PyTorch's do.
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
        if (nice >= 19 && libc.sched_setscheduler(tid, SCHED_IDLE, new int[] {0}) != 0) {
            throw new IllegalStateException("sched_setscheduler(SCHED_IDLE) failed for thread " + tid);
        }
        return true;
    }
}
