package io.specwatch.javaagent;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.utility.JavaModule;

/**
 * Puts {@link TrainerAdvice} into DJL's {@code ai.djl.training.Trainer} with Byte Buddy: the
 * constructor, {@code step()} and {@code close()}. Only that class is ever looked at (its name is
 * compared before Byte Buddy parses anything), and only where it is defined by a class loader that
 * sees the agent's hooks (the application class path); a failure to transform costs one line and
 * leaves the class as DJL wrote it.
 */
final class TrainerInstrumentation {

    static final String TRAINER = "ai.djl.training.Trainer";
    private static final String TRAINER_PATH = TRAINER.replace('.', '/');
    private static final String ADVICE = "io.specwatch.javaagent.TrainerAdvice";

    private TrainerInstrumentation() {
    }

    /**
     * Registers the transformation; with {@code late} (agentmain), a Trainer class already loaded is
     * retransformed too (advice adds no members, so retransformation can apply it).
     */
    static void install(Instrumentation instrumentation, boolean late, String djlVersion) throws Exception {
        ClassFileTransformer byteBuddy = new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(new Failures(djlVersion))
                .type(named(TRAINER))
                .transform(new AgentBuilder.Transformer.ForAdvice()
                        .include(TrainerInstrumentation.class.getClassLoader())
                        // by name: Byte Buddy reads the advice's class files and never loads them
                        .advice(isConstructor().and(takesArguments(2)), ADVICE + "$Created")
                        .advice(named("step").and(takesNoArguments()), ADVICE + "$Step")
                        .advice(named("close").and(takesNoArguments()), ADVICE + "$Close"))
                .makeRaw();
        instrumentation.addTransformer(new OnlyTrainer(byteBuddy), true);
        if (late) {
            for (Class<?> c : instrumentation.getAllLoadedClasses()) {
                if (c.getName().equals(TRAINER) && instrumentation.isModifiableClass(c)) {
                    instrumentation.retransformClasses(c);
                }
            }
        }
    }

    /** Byte Buddy's transformer behind a name check, so no other class pays for a type description. */
    private record OnlyTrainer(ClassFileTransformer byteBuddy) implements ClassFileTransformer {
        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                                ProtectionDomain protectionDomain, byte[] classfileBuffer) throws IllegalClassFormatException {
            if (!TRAINER_PATH.equals(className)) {
                return null;
            }
            if (!seesHooks(loader)) {
                AgentLog.once("class loader", "DJL's Trainer was loaded by " + loader
                        + ", which does not see the agent: not watched (the agent watches DJL on the application class path)");
                return null;
            }
            return byteBuddy.transform(module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
        }

        /** The advice calls TrainerHooks by name from inside Trainer: Trainer's loader must resolve it to ours. */
        private static boolean seesHooks(ClassLoader loader) {
            if (loader == ClassLoader.getSystemClassLoader()) {
                return true;
            }
            try {
                return loader != null && Class.forName(TrainerHooks.class.getName(), false, loader) == TrainerHooks.class;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }
    }

    /** One line when the transformation fails: the class then loads as DJL wrote it. */
    private static final class Failures extends AgentBuilder.Listener.Adapter {
        private final String djlVersion;

        Failures(String djlVersion) {
            this.djlVersion = djlVersion;
        }

        @Override
        public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded, Throwable throwable) {
            AgentLog.once("transform", "cannot instrument DJL " + djlVersion + "'s Trainer (" + throwable
                    + "): the job trains unwatched");
        }
    }
}
