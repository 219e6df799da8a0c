package io.specwatch.javaagent;

import java.util.List;

import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import io.specwatch.monitor.SpectralMonitor;
import io.specwatch.source.djl.DjlWeightSource;

/**
 * Everything the agent reads or changes on a DJL {@code Trainer}, in the one class that names DJL
 * types. The hooks pass trainers as {@code Object}, so that {@link TrainerHooks} (loaded by the
 * agent before any Trainer exists) never makes the JVM load a DJL class early; this class is first
 * loaded from inside a Trainer's own methods, when DJL is there.
 */
final class DjlTrainer {

    private DjlTrainer() {
    }

    /** The trainer's model as the monitor's source, for one hook call. */
    static TrainerWatch.Snapshots snapshots(Object trainer, SpectralMonitor monitor) {
        DjlWeightSource source = new DjlWeightSource(((Trainer) trainer).getModel());
        return new TrainerWatch.Snapshots() {
            @Override
            public boolean isDue(long step) {
                return monitor.isDue(step);
            }

            @Override
            public void offer(long step, boolean force) {
                monitor.offer(step, source, force);
            }
        };
    }

    /** The name of the trainer's model, for messages. */
    static String modelName(Object trainer) {
        return ((Trainer) trainer).getModel().getName();
    }

    /**
     * Adds the agent's listener to a trainer's listener list (DJL's {@code Trainer} keeps its
     * {@code TrainingConfig}'s list itself, so the list may be shared with other trainers of the same
     * config). One agent listener per list is enough: it keeps no state, and the hooks ignore
     * trainers they do not watch. It is never removed, so a list is never changed while DJL iterates it.
     */
    @SuppressWarnings("unchecked")
    static void listen(Object listeners) {
        List<TrainingListener> list = (List<TrainingListener>) listeners;
        for (TrainingListener l : list) {
            if (l instanceof AgentListener) {
                return;
            }
        }
        list.add(new AgentListener());
    }
}
