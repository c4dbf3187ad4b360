package dev.ipckit.mmap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.conformance.Payloads;
import dev.ipckit.posix.PosixFiles;

/**
 * Child-process roles for the mmap tests. Usage:
 *
 * <pre>
 * claim-hold URI LENGTH READY                     open a sender, claim LENGTH bytes, never commit; wait to be killed
 * tagged-send URI ID COUNT MAXLEN READY close|hold send COUNT messages [int ID][long index][payload]
 * race ROLE DIR ROUNDS CONTROL                    ROLE sender|receiver: ROUNDS rendezvous-and-open rounds
 * shrink-victim URI READY GO                      open a receiver; after GO appears, poll until it fails
 * </pre>
 *
 * Exit codes: 0 success, 2 check failed, 3 timed out, 4 bad usage.
 */
public final class MmapTestPeer {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Bytes before the payload of a tagged message: producer id and index. */
    static final int TAG_LENGTH = 12;

    private MmapTestPeer() {
    }

    /**
     * @param args see the class comment.
     * @throws Exception on failure, which exits non-zero.
     */
    public static void main(final String[] args) throws Exception {
        if (args.length < 2) {
            usage();
        }
        switch (args[0]) {
            case "claim-hold" -> claimHold(args[1], Integer.parseInt(args[2]), args[3]);
            case "tagged-send" -> taggedSend(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]),
                Integer.parseInt(args[4]), args[5], "hold".equals(args[6]));
            case "race" -> race(args[1], Path.of(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
            case "shrink-victim" -> shrinkVictim(args[1], args[2], Path.of(args[3]));
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: claim-hold URI LENGTH READY | tagged-send URI ID COUNT MAXLEN READY close|hold"
            + " | race ROLE DIR ROUNDS CONTROL | shrink-victim URI READY GO");
        System.exit(4);
    }

    private static void ready(final String readyFile) throws IOException {
        if (!"-".equals(readyFile)) {
            final Path tmp = Path.of(readyFile + ".tmp");
            Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
            Files.move(tmp, Path.of(readyFile), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void holdUntilKilled() throws InterruptedException {
        Thread.sleep(TIMEOUT.toMillis() * 2); // the test kills this process; this bound ends an orphan
        System.exit(3);
    }

    private static void claimHold(final String uri, final int length, final String readyFile) throws Exception {
        final MmapSender sender = (MmapSender) Channels.openSender(uri);
        final int index = sender.tryClaim(length);
        if (index < 0) {
            System.err.println("peer: no room to claim " + length + " bytes on " + uri);
            System.exit(2);
        }
        for (int i = 0; i < length; i++) {
            sender.buffer().putByte(index + i, (byte) 0x5A); // half-written garbage nobody may ever see
        }
        ready(readyFile);
        holdUntilKilled();
    }

    /**
     * Writes a tagged message: [int id][long index][payload of stream id].
     */
    static int fillTagged(final UnsafeBuffer buffer, final int id, final long index, final int maxPayload) {
        final int length = Payloads.length(id, index, maxPayload);
        buffer.putInt(0, id);
        buffer.putLong(4, index);
        Payloads.fill(buffer, TAG_LENGTH, id, index, length);
        return TAG_LENGTH + length;
    }

    private static void taggedSend(final String uri, final int id, final long count, final int maxPayload,
                                   final String readyFile, final boolean hold) throws Exception {
        final Sender sender = Channels.openSender(uri);
        ready(readyFile);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(TAG_LENGTH + maxPayload));
        for (long i = 0; i < count; i++) {
            final int length = fillTagged(buffer, id, i, maxPayload);
            if (!sender.offer(buffer, 0, length, TIMEOUT)) {
                System.err.println("peer " + id + ": offer of message " + i + " timed out on " + uri);
                System.exit(3);
            }
        }
        if (hold) {
            holdUntilKilled();
        }
        sender.close();
        System.exit(0);
    }

    /**
     * Each round: meet the other child through the control file (a shared mapping, so that both leave the
     * rendezvous within microseconds), open this role's end of ring {@code race-ROUND} (both ends may create
     * it), exchange one message, print {@code ROUND created INODE}, and meet again before closing.
     */
    private static void race(final String role, final Path dir, final int rounds, final Path control) throws Exception {
        final boolean sending = "sender".equals(role);
        try (FileChannel channel = FileChannel.open(control, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final UnsafeBuffer shared = new UnsafeBuffer(channel.map(FileChannel.MapMode.READ_WRITE, 0, 4096)
                .order(ByteOrder.nativeOrder()));
            final int mine = sending ? 0 : 128;
            final int theirs = sending ? 128 : 0;
            final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(8));
            final int[] received = {-1};
            for (int round = 1; round <= rounds; round++) {
                meet(shared, mine, theirs, round * 2L - 1);
                final String uri = "mmap:" + dir.resolve("race-" + round) + "?capacity=4k&timeout=30s";
                final boolean created;
                if (sending) {
                    try (MmapSender sender = (MmapSender) Channels.openSender(uri)) {
                        created = sender.created();
                        message.putInt(0, round);
                        if (!sender.offer(message, 0, 4, TIMEOUT)) {
                            System.err.println("race: offer timed out in round " + round);
                            System.exit(3);
                        }
                        meet(shared, mine, theirs, round * 2L);
                    }
                } else {
                    try (MmapReceiver receiver = (MmapReceiver) Channels.openReceiver(uri)) {
                        created = receiver.created();
                        received[0] = -1;
                        final int polled = receiver.poll((b, o, l) -> received[0] = b.getInt(o), 1, TIMEOUT);
                        if (polled != 1 || received[0] != round) {
                            System.err.println("race: round " + round + " received " + received[0]);
                            System.exit(2);
                        }
                        meet(shared, mine, theirs, round * 2L);
                    }
                }
                final long inode = PosixFiles.lstat(dir.resolve("race-" + round).toString()).inode();
                System.out.println(round + " " + created + " " + inode);
            }
        }
        System.out.flush();
        System.exit(0);
    }

    private static void meet(final UnsafeBuffer shared, final int mine, final int theirs, final long step) {
        shared.putLongVolatile(mine, step);
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (shared.getLongVolatile(theirs) < step) {
            if (System.nanoTime() - deadline > 0) {
                System.err.println("race: the other child never reached step " + step);
                System.exit(3);
            }
            Thread.onSpinWait();
        }
    }

    private static void shrinkVictim(final String uri, final String readyFile, final Path go) throws Exception {
        final Receiver receiver = Channels.openReceiver(uri);
        ready(readyFile);
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(go)) {
            if (System.nanoTime() - deadline > 0) {
                System.exit(3);
            }
            LockSupport.parkNanos(1_000_000L);
        }
        try {
            while (System.nanoTime() - deadline < 0) {
                receiver.poll((b, o, l) -> { }, 10, Duration.ofMillis(10));
            }
        } catch (final ChannelException e) {
            System.out.println(e.getMessage());
            System.out.flush();
            System.exit(e.getMessage().contains("shrank") ? 0 : 2);
        }
        System.exit(3);
    }
}
