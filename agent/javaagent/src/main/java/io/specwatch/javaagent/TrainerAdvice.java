package io.specwatch.javaagent;

import net.bytebuddy.asm.Advice;

/**
 * The code Byte Buddy copies into DJL's {@code Trainer}. Byte Buddy reads these classes by name
 * from the agent jar and never loads them (loading one that named {@code Trainer} in a signature,
 * while {@code Trainer} itself is being defined, would define it twice); every parameter is an
 * {@code Object} for the same reason. Each only calls {@link TrainerHooks}, which never throws;
 * {@code suppress} drops anything that still would (a {@code LinkageError}), so the trainer's own
 * code always runs as written.
 */
final class TrainerAdvice {

    private TrainerAdvice() {
    }

    /** {@code Trainer(Model, TrainingConfig)} returned: watch it, listen to it. */
    static final class Created {
        private Created() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object trainer, @Advice.FieldValue("listeners") Object listeners) {
            TrainerHooks.created(trainer, listeners);
        }
    }

    /** {@code step()}: the weights before the update, and the count after it (an update that threw is none). */
    static final class Step {
        private Step() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object trainer) {
            TrainerHooks.stepping(trainer);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object trainer) {
            TrainerHooks.stepped(trainer);
        }
    }

    /** {@code close()}, before the trainer frees anything: the last weights, then the history is flushed. */
    static final class Close {
        private Close() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object trainer) {
            TrainerHooks.closing(trainer);
        }
    }
}
