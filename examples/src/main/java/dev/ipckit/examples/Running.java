package dev.ipckit.examples;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stops an example's loop cleanly on Ctrl-C (SIGINT) or SIGTERM: the JVM's shutdown hook clears the flag,
 * then waits (at most five seconds) for the loop to close its channel and print what it did.
 */
public final class Running {
    private volatile boolean running = true;
    private final CountDownLatch finished = new CountDownLatch(1);

    private Running() {
    }

    /**
     * Registers the shutdown hook.
     *
     * @return the flag the loop checks.
     */
    public static Running untilInterrupted() {
        final Running flag = new Running();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            flag.running = false;
            try {
                flag.finished.await(5, TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ipckit-example-shutdown"));
        return flag;
    }

    /**
     * @return false once Ctrl-C was pressed.
     */
    public boolean isRunning() {
        return running;
    }

    /**
     * Tells the shutdown hook the loop has closed its channel and printed its summary.
     */
    public void finished() {
        finished.countDown();
    }
}
