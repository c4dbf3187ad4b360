package dev.ipckit.conformance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.Channel;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * The child of the chaos tests: it plays several channel ends at once, one thread each, until the test kills it
 * with SIGKILL. Usage:
 *
 * <pre>
 * ChaosPeer GO READY [warm URI] ROLE...
 *   warm URI                                          before GO: open both ends of URI (a channel of its own),
 *                                                     pass one message and close them, to load and link the code
 *   send URI STREAM MAXPAYLOAD PROGRESS               send tagged messages 0, 1, 2, ... of STREAM, for ever;
 *                                                     after each offer that returned true, the count sent so far
 *                                                     is stored at offset 0 of the 16-byte file PROGRESS
 *   recv URI STREAM MAXPAYLOAD PROGRESS BATCH PAUSE   receive and check STREAM, BATCH messages per poll, each
 *                                                     taking PAUSE microseconds, so that the test's sender is
 *                                                     held back and a kill usually lands inside a batch; after
 *                                                     each message the count handled so far is stored at offset
 *                                                     0 of the 16-byte file PROGRESS
 * </pre>
 *
 * The child starts its JVM, then waits for the file GO before opening anything, so that a test can start the
 * next child while the current one runs. Once every end is open it creates READY. Messages are
 * {@link TaggedMessages}. Exit codes: 2 a check failed or a channel failed (said on stderr), 3 timed out
 * (an orphan), 4 bad usage; a healthy child never exits by itself.
 */
public final class ChaosPeer {
    /** Offset in a PROGRESS file of the count of messages handled. */
    public static final int PROGRESS_HANDLED = 0;
    /** Offset in a PROGRESS file of 1 + the index of a message that failed its check, or 0. */
    public static final int PROGRESS_FAILED = 8;
    /** Bytes of a PROGRESS file. */
    public static final int PROGRESS_LENGTH = 16;
    private static final Duration ORPHAN_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration OFFER_TIMEOUT = Duration.ofMillis(100);

    private ChaosPeer() {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure, which exits non-zero.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length < 3) {
            usage("no roles");
        }
        final long deadline = System.nanoTime() + ORPHAN_TIMEOUT.toNanos();
        final List<String[]> roles = new ArrayList<>();
        int i = 2;
        String warm = null;
        if (args[i].equals("warm") && args.length > i + 1) {
            warm = args[i + 1];
            i += 2;
        }
        while (i < args.length) {
            final int words = switch (args[i]) {
                case "send" -> 5;
                case "recv" -> 7;
                default -> {
                    usage("unknown role '" + args[i] + "'");
                    yield 0;
                }
            };
            if (i + words > args.length) {
                usage("role '" + args[i] + "' needs " + (words - 1) + " arguments");
            }
            roles.add(Arrays.copyOfRange(args, i, i + words));
            i += words;
        }
        if (warm != null) {
            warmUp(warm);
        }
        final Path go = Path.of(args[0]);
        while (!Files.exists(go)) {
            if (System.nanoTime() - deadline > 0) {
                fail("no GO file " + go + " within " + ORPHAN_TIMEOUT, 3);
            }
            LockSupport.parkNanos(200_000L);
        }
        final CountDownLatch opened = new CountDownLatch(roles.size());
        final List<Thread> threads = new ArrayList<>();
        for (final String[] words : roles) {
            threads.add(Thread.ofPlatform().name("chaos-" + words[0] + "-" + words[2]).start(() -> {
                try {
                    if (words[0].equals("send")) { // five words: send URI STREAM MAXPAYLOAD PROGRESS
                        send(words[1], Integer.parseInt(words[2]), Integer.parseInt(words[3]), Path.of(words[4]),
                            opened, deadline);
                    } else {
                        receive(words[1], Integer.parseInt(words[2]), Integer.parseInt(words[3]), Path.of(words[4]),
                            Integer.parseInt(words[5]), Long.parseLong(words[6]), opened, deadline);
                    }
                } catch (final Throwable t) {
                    t.printStackTrace();
                    fail(String.join(" ", words) + ": " + t, 2);
                }
            }));
        }
        if (!opened.await(ORPHAN_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
            fail("not every end opened within " + ORPHAN_TIMEOUT, 3);
        }
        final Path ready = Path.of(args[1]);
        final Path temporary = Path.of(ready + ".tmp");
        Files.writeString(temporary, Long.toString(ProcessHandle.current().pid()));
        Files.move(temporary, ready, StandardCopyOption.ATOMIC_MOVE);
        for (final Thread thread : threads) {
            thread.join(); // the roles run until the test kills this process, or until an orphan times out
        }
        fail("every role ended", 3);
    }

    private static void usage(final String problem) {
        System.err.println("ChaosPeer: " + problem + "; usage: GO READY [warm URI] "
            + "(send URI STREAM MAXPAYLOAD PROGRESS | "
            + "recv URI STREAM MAXPAYLOAD PROGRESS BATCH PAUSE_US)...");
        System.exit(4);
    }

    private static void fail(final String message, final int code) {
        System.err.println("ChaosPeer " + ProcessHandle.current().pid() + ": " + message);
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }

    private static void warmUp(final String uri) {
        try (Receiver receiver = Channels.openReceiver(uri); Sender sender = Channels.openSender(uri)) {
            final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
            final int length = TaggedMessages.fill(buffer, 0, 0, 16);
            if (!sender.offer(buffer, 0, length, Duration.ofSeconds(10))
                || receiver.poll((b, o, l) -> { }, 1, Duration.ofSeconds(10)) != 1) {
                fail("warm-up on " + uri + " passed no message", 2);
            }
        }
    }

    private static void send(final String uri, final int stream, final int maxPayload, final Path progressFile,
                             final CountDownLatch opened, final long deadline) throws IOException {
        final MappedByteBuffer progress = map(progressFile);
        final Sender sender = open(uri, true, opened);
        final UnsafeBuffer buffer =
            new UnsafeBuffer(ByteBuffer.allocateDirect(TaggedMessages.PAYLOAD_OFFSET + maxPayload));
        for (long index = 0; ; index++) {
            final int length = TaggedMessages.fill(buffer, stream, index, maxPayload);
            while (!sender.offer(buffer, 0, length, OFFER_TIMEOUT)) {
                if (System.nanoTime() - deadline > 0) {
                    fail("orphaned while sending " + uri, 3);
                }
            }
            progress.putLong(PROGRESS_HANDLED, index + 1); // committed: the receiver must get it, whenever we die
        }
    }

    private static MappedByteBuffer map(final Path progressFile) throws IOException {
        try (FileChannel channel = FileChannel.open(progressFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, PROGRESS_LENGTH);
        }
    }

    private static void receive(final String uri, final int stream, final int maxPayload, final Path progressFile,
                                final int batch, final long pauseMicros, final CountDownLatch opened,
                                final long deadline) throws IOException {
        final MappedByteBuffer progress = map(progressFile);
        final Receiver receiver = open(uri, false, opened);
        final long[] next = {0};
        while (System.nanoTime() - deadline < 0) {
            receiver.poll((buffer, offset, length) -> {
                final String problem = TaggedMessages.verify(buffer, offset, length, stream, next[0], maxPayload);
                if (problem != null) {
                    progress.putLong(PROGRESS_FAILED, next[0] + 1);
                    fail(uri + ": " + problem, 2);
                }
                progress.putLong(PROGRESS_HANDLED, ++next[0]);
                if (pauseMicros > 0) {
                    LockSupport.parkNanos(pauseMicros * 1000); // a slow handler, inside the batch
                }
            }, batch, OFFER_TIMEOUT);
        }
        fail("orphaned while receiving " + uri, 3);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Channel> T open(final String uri, final boolean sender, final CountDownLatch opened) {
        final Channel end = sender ? Channels.openSender(uri) : Channels.openReceiver(uri);
        opened.countDown();
        return (T) end;
    }
}
