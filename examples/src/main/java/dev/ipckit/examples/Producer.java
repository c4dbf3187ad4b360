package dev.ipckit.examples;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.Channels;
import dev.ipckit.Sender;

/**
 * Sends generated, self-checking messages (see {@link Generated}) to any channel URI, printing progress
 * each second; stops after COUNT messages or on Ctrl-C, and closes the channel so the consumer sees the end.
 *
 * <pre>
 * Producer URI [COUNT [SIZE]]      e.g. Producer mmap:example 1000000 64
 * </pre>
 *
 * Start {@link Consumer} with the same URI in another terminal, before or after.
 */
public final class Producer {
    private Producer() {
    }

    /**
     * @param args URI, then optionally COUNT (default 10,000,000) and SIZE in bytes (default 64).
     */
    public static void main(final String[] args) {
        if (args.length < 1) {
            System.err.println("usage: Producer URI [COUNT [SIZE]]");
            System.exit(2);
        }
        run(args[0], args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L, args.length > 2 ? Integer.parseInt(args[2]) : 64);
    }

    /**
     * Runs the producer.
     *
     * @param uri the channel.
     * @param count how many messages.
     * @param size bytes per message, at least 8.
     */
    public static void run(final String uri, final long count, final int size) {
        send("producer", uri, count, size);
    }

    /**
     * The sending loop {@link Producer} and {@link Publisher} share: COUNT generated messages, progress each second,
     * stops early on Ctrl-C, closes the channel at the end.
     *
     * @param who the name the lines start with.
     * @param uri the channel.
     * @param count how many messages.
     * @param size bytes per message, at least 8.
     */
    static void send(final String who, final String uri, final long count, final int size) {
        final Running running = Running.untilInterrupted();
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        long sent = 0;
        try (Sender sender = Channels.openSender(uri)) {
            System.out.println(who + ": sending " + count + " messages of " + size + " bytes to " + uri);
            final long start = System.nanoTime();
            final ProgressLine progress = new ProgressLine(who, "sent");
            while (sent < count && running.isRunning()) {
                Generated.fill(buffer, sent, size);
                if (sender.offer(buffer, 0, size, Duration.ofMillis(100))) {
                    sent++;
                }
                progress.update(sent);
            }
            System.out.printf("%s: done, %,d messages in %.2f s%n", who, sent, (System.nanoTime() - start) / 1e9);
        } finally {
            running.finished();
        }
    }
}
