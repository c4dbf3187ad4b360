package dev.ipckit.conformance;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.Channels;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The child side of the cross-process conformance tests. Usage:
 *
 * <pre>
 * send URI COUNT SEED MAXLEN close|hold [READY_FILE]   send COUNT self-checking messages, then close, or wait to be killed
 * recv URI COUNT SEED MAXLEN [READY_FILE]              receive and verify COUNT messages; exit 0 when all are intact
 * stall URI [READY_FILE]                               open a receiver and never read, until killed
 * </pre>
 *
 * A READY_FILE is created once the channel end is open. Exit codes: 0 success, 2 verification failed,
 * 3 timed out, 4 bad usage.
 */
public final class ConformancePeer {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private ConformancePeer() {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure, which exits non-zero.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length < 2) {
            usage();
        }
        final String uri = args[1];
        switch (args[0]) {
            case "send" -> send(uri, Long.parseLong(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]),
                args[5].equals("hold"), args.length > 6 ? args[6] : null);
            case "recv" -> receive(uri, Long.parseLong(args[2]), Long.parseLong(args[3]), Integer.parseInt(args[4]),
                args.length > 5 ? args[5] : null);
            case "stall" -> stall(uri, args.length > 2 ? args[2] : null);
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: send URI COUNT SEED MAXLEN close|hold [READY] | recv URI COUNT SEED MAXLEN [READY] | stall URI [READY]");
        System.exit(4);
    }

    private static void ready(final String readyFile) throws java.io.IOException {
        if (readyFile != null) {
            final Path tmp = Path.of(readyFile + ".tmp");
            Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
            Files.move(tmp, Path.of(readyFile), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void send(final String uri, final long count, final long seed, final int maxLength, final boolean hold,
                             final String readyFile) throws Exception {
        final Sender sender = Channels.openSender(uri);
        ready(readyFile);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(1, maxLength)));
        for (long i = 0; i < count; i++) {
            final int length = Payloads.length(seed, i, maxLength);
            Payloads.fill(buffer, 0, seed, i, length);
            if (!sender.offer(buffer, 0, length, TIMEOUT)) {
                System.err.println("peer: offer of message " + i + " timed out after " + TIMEOUT + " on " + uri);
                System.exit(3);
            }
        }
        if (hold) {
            Thread.sleep(TIMEOUT.toMillis() * 2); // the test kills this process; this bound ends an orphan
            System.exit(3);
        }
        sender.close();
        System.exit(0);
    }

    private static void receive(final String uri, final long count, final long seed, final int maxLength,
                                final String readyFile) throws Exception {
        final Receiver receiver = Channels.openReceiver(uri);
        ready(readyFile);
        final long[] next = {0};
        final String[] failure = {null};
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            while (next[0] < count && failure[0] == null) {
                if (System.nanoTime() - deadline > 0) {
                    System.err.println("peer: received " + next[0] + " of " + count + " messages on " + uri + " before timing out");
                    System.exit(3);
                }
                receiver.poll((buffer, offset, length) -> {
                    if (failure[0] == null) {
                        failure[0] = Payloads.verify(buffer, offset, length, seed, next[0], maxLength);
                    }
                    next[0]++;
                }, 64, Duration.ofMillis(100));
            }
        } catch (final PeerGoneException e) {
            System.err.println("peer: sender left after " + next[0] + " of " + count + " messages: " + e.getMessage());
            System.exit(2);
        }
        if (failure[0] != null) {
            System.err.println("peer: " + failure[0]);
            System.exit(2);
        }
        receiver.close();
        System.exit(0);
    }

    private static void stall(final String uri, final String readyFile) throws Exception {
        final Receiver receiver = Channels.openReceiver(uri);
        ready(readyFile);
        Thread.sleep(TIMEOUT.toMillis() * 2);
        receiver.close();
        System.exit(3);
    }
}
