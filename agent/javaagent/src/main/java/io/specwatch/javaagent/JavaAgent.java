package io.specwatch.javaagent;

import java.lang.instrument.Instrumentation;
import java.util.Optional;

import io.specwatch.catalogue.BuildInfo;

/**
 * The {@code -javaagent} entry point: one flag on an unmodified DJL job,
 * {@code java -javaagent:specwatch.jar=port=9464,every=50,model=NAME,history=FILE -jar train.jar},
 * and every DJL {@code Trainer} the job creates is watched (the settings: {@link AgentConfig}).
 *
 * <p>It reads the settings, builds the monitor with its outputs, registers the instrumentation and
 * says in one line what it watches. Whatever fails says what and why in one line and keeps what
 * still works; nothing here throws, exits, or keeps the JVM alive (every agent thread is a daemon).
 */
public final class JavaAgent {

    private JavaAgent() {
    }

    /** Attached at JVM start ({@code -javaagent}). */
    public static void premain(String arguments, Instrumentation instrumentation) {
        attach(arguments, instrumentation, false);
    }

    /** Attached to a running JVM: Trainer classes already loaded are retransformed, a running trainer is watched from its next step. */
    public static void agentmain(String arguments, Instrumentation instrumentation) {
        attach(arguments, instrumentation, true);
    }

    private static void attach(String arguments, Instrumentation instrumentation, boolean late) {
        // the threads the agent starts inherit this thread's context class loader, and ND4J finds its
        // backend through it: the JVM's attach thread has none that sees the agent jar (premain's main thread has)
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(JavaAgent.class.getClassLoader());
        try {
            AgentConfig config = AgentConfig.resolve(arguments, System.getenv());
            AgentLog.level(config.logLevel());
            Optional<DjlOnClassPath> djl = DjlOnClassPath.find(ClassLoader.getSystemClassLoader());
            if (djl.isEmpty()) {
                AgentLog.say("no DJL on the application class path (no ai/djl/training/Trainer.class): nothing to watch, the agent stays off");
                return;
            }
            String version = djl.get().version();
            if (!djl.get().tested()) {
                AgentLog.say("DJL " + version + " is not a version the agent was tested with (" + String.join(", ", DjlOnClassPath.TESTED)
                        + "); watching anyway: if a DJL call fails the agent stops, training goes on");
            }
            String agentVersion = JavaAgent.class.getPackage().getImplementationVersion();
            if (agentVersion != null && !agentVersion.equals(BuildInfo.version())) {
                AgentLog.say("the application bundles specwatch " + BuildInfo.version() + " and the agent is " + agentVersion
                        + ": the agent runs on the application's copy; use one version");
            }
            // the hooks do nothing until attached: instrument first, so that a failure here starts nothing
            TrainerInstrumentation.install(instrumentation, late, version);
            AgentRun run = AgentRun.start(config);
            TrainerHooks.attach(run, version);
            AgentLog.say(BuildInfo.version() + " watches DJL " + version + " trainers (model " + config.model() + "): "
                    + run.outputs());
        } catch (AgentConfig.Invalid e) {
            AgentLog.say(e.getMessage() + "; the agent is off, the job runs without it");
        } catch (Throwable e) {
            // a javaagent that throws stops the JVM from starting: never
            AgentLog.say("the agent cannot start (" + e + "); the job runs without it");
        } finally {
            thread.setContextClassLoader(context);
        }
    }
}
