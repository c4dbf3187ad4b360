package dev.ipckit.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Things to undo if this JVM exits while they are still open (an exception that skips a benchmark's tear-down,
 * {@code System.exit}, SIGINT or SIGTERM): one shutdown hook closes whatever is still registered, newest first,
 * so child processes are reaped and files in {@code /dev/shm} and FIFOs are removed. Only SIGKILL escapes it; the
 * echo processes then see their peer gone and exit by themselves.
 */
public final class Cleanup {
    private static final Set<AutoCloseable> OPEN = Collections.synchronizedSet(new LinkedHashSet<>());
    private static boolean hooked;

    private Cleanup() {
    }

    /**
     * Registers something to close at exit unless it is {@link #done done} first.
     *
     * @param resource what to close.
     */
    public static void register(final AutoCloseable resource) {
        synchronized (OPEN) {
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::closeAll, "ipckit-bench-cleanup"));
                hooked = true;
            }
            OPEN.add(resource);
        }
    }

    /**
     * Forgets a resource that was closed normally.
     *
     * @param resource what was registered.
     */
    public static void done(final AutoCloseable resource) {
        OPEN.remove(resource);
    }

    private static void closeAll() {
        final List<AutoCloseable> open;
        synchronized (OPEN) {
            open = new ArrayList<>(OPEN);
            OPEN.clear();
        }
        Collections.reverse(open);
        for (final AutoCloseable resource : open) {
            try {
                resource.close();
            } catch (final Exception e) {
                System.err.println("bench: cleaning up at exit: " + e.getMessage());
            }
        }
    }
}
