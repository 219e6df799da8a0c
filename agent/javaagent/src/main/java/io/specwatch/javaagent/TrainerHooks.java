package io.specwatch.javaagent;

import java.lang.ref.WeakReference;

/**
 * What the instrumented {@code Trainer} calls: its constructor, {@code step()} and {@code close()},
 * and the agent's listener. Runs on the job's training thread, so it never throws and never waits,
 * except at {@code close()} for the flush the user asked for ({@code flush-timeout}).
 *
 * <p>One trainer is watched at a time: the first one constructed (or, after a late attach, the
 * first that steps); a trainer constructed while another is watched is left alone (said once).
 * When the watched one closes (or is collected unclosed), the next one is watched, and its steps
 * continue the count. Any failure turns the agent off with one line: typically a DJL whose API
 * differs from the one the agent was built against ({@code LinkageError}); training goes on as if
 * the agent had never been there.
 *
 * <p>Its parameters are {@code Object}: loading this class must not load DJL ({@link DjlTrainer}).
 */
public final class TrainerHooks {

    private static final Object LOCK = new Object();
    private static volatile AgentRun run;
    private static volatile String djlVersion = "unknown";
    /** Guarded by LOCK, like {@link #watch} and {@link #stepsSoFar}. */
    private static WeakReference<Object> watched = new WeakReference<>(null);
    private static TrainerWatch watch;
    /** The steps of the trainers watched before the current one. */
    private static long stepsSoFar;

    private TrainerHooks() {
    }

    /** Starts handing the hooks' observations to {@code agentRun}. */
    static void attach(AgentRun agentRun, String version) {
        djlVersion = version;
        run = agentRun;
    }

    /** The constructor returned. */
    public static void created(Object trainer, Object listeners) {
        AgentRun r = run;
        if (r == null) {
            return;
        }
        try {
            boolean watching;
            synchronized (LOCK) {
                watching = adopt(trainer) != null;
            }
            if (watching) {
                DjlTrainer.listen(listeners);
            }
        } catch (Throwable t) {
            turnOff(t);
        }
    }

    /** {@code step()} was entered: the weights before the update. */
    public static void stepping(Object trainer) {
        AgentRun r = run;
        if (r == null) {
            return;
        }
        try {
            synchronized (LOCK) {
                TrainerWatch w = watched.get() == trainer ? watch : adopt(trainer);
                if (w != null) {
                    w.beforeUpdate(DjlTrainer.snapshots(trainer, r.monitor()));
                }
            }
        } catch (Throwable t) {
            turnOff(t);
        }
    }

    /** {@code step()} returned: one more update. */
    public static void stepped(Object trainer) {
        if (run == null) {
            return;
        }
        synchronized (LOCK) {
            if (watched.get() == trainer && watch != null) {
                watch.afterUpdate();
            }
        }
    }

    /** {@code close()} was entered: the last weights, then the flush. */
    public static void closing(Object trainer) {
        AgentRun r = run;
        if (r == null) {
            return;
        }
        try {
            TrainerWatch finished = null;
            synchronized (LOCK) {
                if (watched.get() == trainer && watch != null) {
                    finished = watch;
                    finished.finish(DjlTrainer.snapshots(trainer, r.monitor()));
                    release();
                }
            }
            if (finished != null) {
                r.flush();
            }
        } catch (Throwable t) {
            turnOff(t);
        }
    }

    /** DJL's onTrainingBatch, through the agent's listener. */
    static void batch(Object trainer) {
        onWatched(trainer, TrainerWatch::batch);
    }

    /** DJL's onTrainingEnd, through the agent's listener (DJL fires it from {@code close()}). */
    static void trainingEnded(Object trainer) {
        onWatched(trainer, TrainerWatch::finish);
    }

    /** Hands {@code trainer}'s snapshots to the watch when it is the trainer watched. */
    private static void onWatched(Object trainer, java.util.function.BiConsumer<TrainerWatch, TrainerWatch.Snapshots> event) {
        AgentRun r = run;
        if (r == null) {
            return;
        }
        try {
            synchronized (LOCK) {
                if (watched.get() == trainer && watch != null) {
                    event.accept(watch, DjlTrainer.snapshots(trainer, r.monitor()));
                }
            }
        } catch (Throwable t) {
            turnOff(t);
        }
    }

    /** Watches {@code trainer} unless another live one is watched; null when it is not watched. */
    private static TrainerWatch adopt(Object trainer) {
        if (watch != null && watched.get() != null && watched.get() != trainer) {
            AgentLog.once("second trainer", "a second Trainer (model " + DjlTrainer.modelName(trainer)
                    + ") while another is open: the agent watches one trainer at a time, this one is not watched");
            return null;
        }
        if (watch != null && watched.get() == null) {
            release();
        }
        watch = new TrainerWatch(stepsSoFar);
        watched = new WeakReference<>(trainer);
        AgentLog.say("watching the Trainer of model " + DjlTrainer.modelName(trainer)
                + (stepsSoFar > 0 ? ", from step " + stepsSoFar : ""));
        return watch;
    }

    private static void release() {
        stepsSoFar = watch.step();
        watch = null;
        watched = new WeakReference<>(null);
    }

    private static void turnOff(Throwable t) {
        run = null;
        if (t instanceof LinkageError) {
            AgentLog.once("linkage", "DJL " + djlVersion + " does not have what the agent calls (" + t
                    + "): the agent stops watching, training goes on");
        } else {
            AgentLog.once("failure", "the agent stops watching after an unexpected failure (" + t + "), training goes on");
        }
    }
}
