package dev.ipckit.examples;

/**
 * The sending side of a one-to-many pair: sends generated, self-checking messages (see {@link Generated}) to a ring
 * with subscriber slots, so that every {@link Subscriber} that has joined gets every one of them; prints progress
 * each second, stops after COUNT messages or on Ctrl-C, and closes the ring so the subscribers see the end.
 *
 * <pre>
 * Publisher [URI [COUNT [SIZE]]]      e.g. Publisher 'mmap:ipckit-example-broadcast?subscribers=4' 1000000 64
 * </pre>
 *
 * Start one or more {@link Subscriber}s with the same URI in other terminals, before or after: a subscriber that
 * joins later starts at the messages sent from then on. With the default {@code slow=block}, the slowest live
 * subscriber sets the pace; a subscriber that is killed stops holding the publisher back at once.
 */
public final class Publisher {
    /** The URI when none is given: a ring in /dev/shm with four subscriber slots. */
    public static final String DEFAULT_URI = "mmap:ipckit-example-broadcast?subscribers=4";

    private Publisher() {
    }

    /**
     * @param args optionally the URI (default {@value #DEFAULT_URI}), COUNT (default 10,000,000) and SIZE in bytes
     *     (default 64).
     */
    public static void main(final String[] args) {
        if (args.length > 3) {
            System.err.println("usage: Publisher [URI [COUNT [SIZE]]]");
            System.exit(2);
        }
        run(args.length > 0 ? args[0] : DEFAULT_URI, args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L,
            args.length > 2 ? Integer.parseInt(args[2]) : 64);
    }

    /**
     * Runs the publisher.
     *
     * @param uri the ring, with {@code subscribers=N}.
     * @param count how many messages.
     * @param size bytes per message, at least 8.
     */
    public static void run(final String uri, final long count, final int size) {
        Producer.send("publisher", uri, count, size);
    }
}
