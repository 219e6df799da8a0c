package io.specwatch.javaagent.apps;

/** A job without DJL on its class path (it computes something and says so). */
public final class NoDjlJob {

    private NoDjlJob() {
    }

    public static void main(String[] args) {
        double sum = 0;
        for (int i = 1; i <= 1000; i++) {
            sum += 1.0 / ((double) i * i);
        }
        System.out.printf("no-djl job done: %.6f%n", sum);
    }
}
