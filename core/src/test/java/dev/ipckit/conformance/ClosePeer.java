package dev.ipckit.conformance;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * A child JVM that closes channel ends at awkward moments, where a careless end would release memory or a
 * descriptor still in use and crash the JVM (SIGSEGV on an unmapped ring) or touch someone else's descriptor.
 * Usage:
 *
 * <pre>
 * ClosePeer ROUNDS SEED small|large URI_TEMPLATE...
 * </pre>
 *
 * Each URI_TEMPLATE names a fresh channel per use when its {@code {n}} is replaced by a number, e.g.
 * {@code mmap:/tmp/x/close-{n}?capacity=4k&unlinkOnClose=true}. Each round, on each template, with random pauses
 * before each close:
 *
 * <ol>
 *   <li>a handler closes its own receiver: the poll returns 1 (nothing is delivered after the close), and the
 *       next poll throws {@link ChannelClosedException};</li>
 *   <li>another thread closes a receiver waiting in a 30 s poll: the poll ends with ChannelClosedException
 *       within seconds;</li>
 *   <li>another thread closes a sender waiting in a 30 s offer on a full channel: likewise;</li>
 *   <li>with {@code large}: another thread closes a sender in an untimed offer of its longest message, which
 *       on a FIFO or pipe waits for the receiver to take what does not fit in the pipe: the offer returns or
 *       throws ChannelClosedException.</li>
 * </ol>
 *
 * An untimed call that cannot wait (a poll, an offer that fits in one write or a ring) is used by one thread at
 * a time and is not closed under.
 *
 * Prints one summary line and exits 0; exits 2 with a sentence on stderr when a promise is broken. The test that
 * starts it checks the exit code and that the JVM left no crash report.
 */
public final class ClosePeer {
    private static final Duration LONG_WAIT = Duration.ofSeconds(30);
    private static final long ENDS_WITHIN_SECONDS = 10;
    private static final AtomicInteger NAMES = new AtomicInteger();

    private ClosePeer() {
    }

    /**
     * @param args see the class comment.
     * @throws Exception when a promise is broken.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length < 4 || !Set.of("small", "large").contains(args[2])) {
            System.err.println("usage: ClosePeer ROUNDS SEED small|large URI_TEMPLATE...");
            System.exit(4);
        }
        final int rounds = Integer.parseInt(args[0]);
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
        final boolean large = args[2].equals("large");
        final List<String> templates = List.of(args).subList(3, args.length);
        long slowestClose = 0;
        try {
            for (int round = 0; round < rounds; round++) {
                for (final String template : templates) {
                    closeFromHandler(uri(template));
                    slowestClose = Math.max(slowestClose, closeWhilePolling(uri(template), random));
                    slowestClose = Math.max(slowestClose, closeWhileOffering(uri(template), random, true));
                    if (large) {
                        slowestClose = Math.max(slowestClose, closeWhileOffering(uri(template), random, false));
                    }
                }
            }
        } catch (final Throwable t) {
            t.printStackTrace();
            System.err.println("ClosePeer: " + t);
            System.exit(2);
        }
        System.out.printf("close races: %d rounds on %d channel kinds (a handler closing its receiver, a waiting poll "
                + "and a waiting offer closed by another thread%s), slowest close %d ms, no crash%n", rounds,
            templates.size(), large ? ", a large untimed offer closed likewise" : "",
            TimeUnit.NANOSECONDS.toMillis(slowestClose));
        System.exit(0);
    }

    private static String uri(final String template) {
        return template.replace("{n}", Integer.toString(NAMES.incrementAndGet()));
    }

    private static void check(final boolean condition, final String problem) {
        if (!condition) {
            throw new AssertionError(problem);
        }
    }

    private static void closeFromHandler(final String uri) {
        final Receiver receiver = Channels.openReceiver(uri);
        try (Sender sender = Channels.openSender(uri)) {
            for (int i = 0; i < 5; i++) {
                check(sender.offer(new byte[] {(byte) i}, Duration.ofSeconds(5)), "offer " + i + " on " + uri);
            }
            final int[] seen = {0};
            final int delivered = receiver.poll((buffer, offset, length) -> {
                seen[0]++;
                receiver.close();
            }, 10, Duration.ofSeconds(5));
            check(delivered == 1 && seen[0] == 1, "a handler closed its receiver on " + uri
                + ", yet the poll delivered " + delivered + " (the handler saw " + seen[0] + ")");
            check(receiver.isClosed(), "closed from its handler, " + uri + " says it is open");
            try {
                receiver.poll((buffer, offset, length) -> { }, 1);
                throw new AssertionError("a poll after close on " + uri + " did not throw");
            } catch (final ChannelClosedException expected) {
                check(expected.getMessage().contains(uri), expected.getMessage());
            }
        } finally {
            receiver.close();
        }
    }

    private static long closeWhilePolling(final String uri, final SplittableRandom random) throws Exception {
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            final CompletableFuture<Integer> polling = new CompletableFuture<>();
            final Thread poller = Thread.ofPlatform().name("close-poller").start(() -> {
                try {
                    polling.complete(receiver.poll((buffer, offset, length) -> { }, 10, LONG_WAIT));
                } catch (final Throwable t) {
                    polling.completeExceptionally(t);
                }
            });
            LockSupport.parkNanos(random.nextLong(0, 3_000_000));
            final long started = System.nanoTime();
            receiver.close();
            final long took = System.nanoTime() - started;
            expectClosed(polling, "a poll waiting on " + uri, poller);
            return took;
        }
    }

    private static long closeWhileOffering(final String uri, final SplittableRandom random, final boolean timed)
        throws Exception {
        try (Receiver receiver = Channels.openReceiver(uri)) {
            final Sender sender = Channels.openSender(uri);
            final int length = timed ? Math.min(1024, sender.maxMessageLength()) : sender.maxMessageLength();
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(1, length)));
            if (timed) {
                while (sender.offer(buffer, 0, length)) {
                    LockSupport.parkNanos(1); // fill the channel, so that the next offer waits
                }
            }
            final CompletableFuture<Boolean> offering = new CompletableFuture<>();
            final Thread offerer = Thread.ofPlatform().name("close-offerer").start(() -> {
                try {
                    offering.complete(timed ? sender.offer(buffer, 0, length, LONG_WAIT)
                        : sender.offer(buffer, 0, length));
                } catch (final Throwable t) {
                    offering.completeExceptionally(t);
                }
            });
            LockSupport.parkNanos(random.nextLong(0, 3_000_000));
            final long started = System.nanoTime();
            sender.close();
            final long took = System.nanoTime() - started;
            if (timed) {
                expectClosed(offering, "an offer waiting on a full " + uri, offerer);
            } else {
                try {
                    offering.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
                } catch (final ExecutionException e) {
                    check(e.getCause() instanceof ChannelClosedException, "an untimed offer on " + uri
                        + " closed by another thread threw " + e.getCause());
                }
                offerer.join();
            }
            return took;
        }
    }

    private static void expectClosed(final CompletableFuture<?> call, final String what, final Thread thread)
        throws InterruptedException, TimeoutException {
        try {
            final Object result = call.get(ENDS_WITHIN_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError(what + " returned " + result + " after another thread closed the end");
        } catch (final ExecutionException e) {
            check(e.getCause() instanceof ChannelClosedException, what + " closed by another thread threw "
                + e.getCause());
        }
        thread.join();
    }
}
