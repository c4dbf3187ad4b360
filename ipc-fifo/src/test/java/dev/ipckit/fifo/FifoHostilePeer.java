package dev.ipckit.fifo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import dev.ipckit.Channels;
import dev.ipckit.Receiver;

/**
 * The child side of {@link FifoHostileInputTest}: a receiver that reads garbage written by the test. Usage:
 *
 * <pre>
 * garbage DIR COUNT MAXMESSAGE   for i in 0..COUNT-1: open fifo:DIR/garbage-i.fifo?nonblock=true&amp;maxMessage=...,
 *                                create DIR/garbage-i.ready, poll until the receiver throws, print
 *                                i TAB delivered count TAB class TAB message, close, and go on
 * </pre>
 *
 * Exit codes: 0 done, 3 a receiver never threw (timed out), 4 bad usage.
 */
public final class FifoHostilePeer {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private FifoHostilePeer() {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure, which exits non-zero.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length != 4 || !args[0].equals("garbage")) {
            System.err.println("usage: garbage DIR COUNT MAXMESSAGE");
            System.exit(4);
        }
        final Path dir = Path.of(args[1]);
        final int count = Integer.parseInt(args[2]);
        for (int i = 0; i < count; i++) {
            final Path fifo = dir.resolve("garbage-" + i + ".fifo");
            try (Receiver receiver = Channels.openReceiver("fifo:" + fifo + "?nonblock=true&maxMessage=" + args[3])) {
                final Path temporary = dir.resolve("garbage-" + i + ".ready.tmp");
                Files.writeString(temporary, "ready");
                Files.move(temporary, dir.resolve("garbage-" + i + ".ready"), StandardCopyOption.ATOMIC_MOVE);
                final int[] delivered = {0};
                final long deadline = System.nanoTime() + DEADLINE.toNanos();
                Throwable failure = null;
                while (failure == null) {
                    if (System.nanoTime() - deadline > 0) {
                        System.out.println(i + "\t" + delivered[0] + "\tnothing thrown\t");
                        System.exit(3);
                    }
                    try {
                        receiver.poll((b, o, l) -> delivered[0]++, 64, Duration.ofMillis(100));
                    } catch (final RuntimeException e) {
                        failure = e;
                    }
                }
                System.out.println(i + "\t" + delivered[0] + "\t" + failure.getClass().getSimpleName() + "\t"
                    + String.valueOf(failure.getMessage()).replace('\n', ' '));
            }
        }
        System.out.flush();
        System.exit(0);
    }
}
