package dev.ipckit.mmap;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import dev.ipckit.ChannelException;
import dev.ipckit.Channels;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.posix.PosixProcess;

/**
 * Child JVMs for the trust tests: a hostile writer of ring files, and ends that sleep, close or die on cue. Usage:
 *
 * <pre>
 * hostile URI ITERATIONS SEED   open and close senders and receivers ITERATIONS times (offer, claim, commit, abort,
 *                               poll) while a thread of this process rewrites header fields, positions, slot fields
 *                               and record headers through its own mapping; print OUTCOME TAB CLASS TAB COUNT lines
 *                               (OUTCOME ok or failed); exit 2, with the stack trace, on anything not a
 *                               ChannelException
 * sleep-recv URI READY          open a receiver, write READY (pid TAB tid), then poll with a long timeout until killed
 * send URI COUNT READY GO       open a sender, offer COUNT messages, write READY, wait for the file GO, close, exit 0
 * recv URI READY GO             open a receiver, write READY, wait for the file GO, close, exit 0
 * </pre>
 *
 * Exit codes: 0 done, 2 a failure that is not a ChannelException, 3 timed out, 4 bad usage.
 */
public final class TrustPeer {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TrustPeer() {
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
            case "hostile" -> hostile(args[1], Integer.parseInt(args[2]), Long.parseLong(args[3]));
            case "sleep-recv" -> sleepReceive(args[1], Path.of(args[2]));
            case "send" -> send(args[1], Integer.parseInt(args[2]), Path.of(args[3]), Path.of(args[4]));
            case "recv" -> receive(args[1], Path.of(args[2]), Path.of(args[3]));
            default -> usage();
        }
        System.out.flush();
        System.exit(0);
    }

    private static void usage() {
        System.err.println("usage: hostile URI ITERATIONS SEED | sleep-recv URI READY | send URI COUNT READY GO"
            + " | recv URI READY GO");
        System.exit(4);
    }

    /**
     * Writes a file atomically (rename), so that a reader never sees it half written.
     *
     * @param file the file.
     * @param text its content.
     * @throws java.io.IOException when it cannot be written.
     */
    public static void ready(final Path file, final String text) throws java.io.IOException {
        final Path tmp = Path.of(file + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitFile(final Path go) {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(go)) {
            if (System.nanoTime() - deadline > 0) {
                System.err.println("peer: " + go + " did not appear within " + TIMEOUT);
                System.exit(3);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }

    private static void sleepReceive(final String uri, final Path ready) throws Exception {
        final Receiver receiver = Channels.openReceiver(uri);
        ready(ready, PosixProcess.getpid() + "\t" + PosixProcess.gettid());
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            receiver.poll((b, o, l) -> { }, 1, TIMEOUT); // until killed
        }
        System.exit(3);
    }

    private static void send(final String uri, final int count, final Path ready, final Path go) throws Exception {
        final Sender sender = Channels.openSender(uri);
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64));
        for (int i = 0; i < count; i++) {
            buffer.putInt(0, i);
            if (!sender.offer(buffer, 0, 4, TIMEOUT)) {
                System.err.println("peer: offer " + i + " timed out on " + uri);
                System.exit(3);
            }
        }
        ready(ready, Long.toString(PosixProcess.getpid()));
        awaitFile(go);
        sender.close();
    }

    private static void receive(final String uri, final Path ready, final Path go) throws Exception {
        final Receiver receiver = Channels.openReceiver(uri);
        ready(ready, Long.toString(PosixProcess.getpid()));
        awaitFile(go);
        receiver.close();
    }

    private static void hostile(final String uri, final int iterations, final long seed) throws Exception {
        final MmapOptions options = MmapOptions.parse(uri);
        try (Sender first = Channels.openSender(uri)) { // creates the ring
            first.offer(new UnsafeBuffer(new byte[8]), 0, 8);
        }
        final Path path = Path.of(options.path());
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread writer;
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
             FileChannel channel = file.getChannel()) {
            final MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
            map.order(ByteOrder.LITTLE_ENDIAN);
            final byte[] original = new byte[RingFileDescriptor.SESSION_OFFSET];
            map.get(0, original);
            writer = new Thread(() -> rewrite(map, original, options.capacity(), options.format(),
                new SplittableRandom(seed), stop),
                "hostile-writer");
            writer.setDaemon(true);
            writer.start();
            final Map<String, Integer> outcomes = new TreeMap<>();
            final SplittableRandom random = new SplittableRandom(seed + 1);
            final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
            for (int i = 0; i < iterations; i++) {
                exercise(uri, random, message, outcomes);
            }
            stop.set(true);
            writer.join(TIMEOUT.toMillis());
            outcomes.forEach((what, count) -> System.out.println(what + "\t" + count));
        }
    }

    private static void exercise(final String uri, final SplittableRandom random, final UnsafeBuffer message,
                                 final Map<String, Integer> outcomes) {
        try (Receiver receiver = random.nextBoolean() ? Channels.openReceiver(uri) : null;
             Sender sender = Channels.openSender(uri)) {
            for (int n = 0; n < 4; n++) {
                final int length = random.nextInt(Math.min(200, sender.maxMessageLength()) + 1);
                if (sender instanceof MmapSender mmap && random.nextInt(4) == 0) {
                    final int index = mmap.tryClaim(length);
                    if (index >= 0) {
                        if (random.nextBoolean()) {
                            mmap.commit(index);
                        } else {
                            mmap.abort(index);
                        }
                    }
                } else {
                    sender.offer(message, 0, length);
                }
            }
            if (receiver != null) {
                receiver.poll((b, o, l) -> b.getByte(o + l - (l > 0 ? 1 : 0)), 16);
            }
            outcomes.merge("ok\t-", 1, Integer::sum);
        } catch (final ChannelException e) {
            outcomes.merge("failed\t" + e.getClass().getSimpleName(), 1, Integer::sum);
        } catch (final Throwable t) {
            System.out.println("broken\t" + t.getClass().getName() + "\t" + t.getMessage());
            t.printStackTrace();
            System.out.flush();
            System.exit(2);
        }
    }

    /**
     * Rewrites fields at random until stopped, at a random pace; half the time it first restores the static fields
     * (and now and then empties the ring), so that opens get past validation and reach the code that uses what they
     * validated.
     */
    private static void rewrite(final MappedByteBuffer map, final byte[] original, final int capacity,
                                final RingFormat format, final SplittableRandom random, final AtomicBoolean stop) {
        final int ring = RingFileDescriptor.RING_OFFSET;
        final int trailer = ring + capacity;
        final int[] intFields = {
            RingFileDescriptor.VERSION_OFFSET, RingFileDescriptor.HEADER_LENGTH_OFFSET,
            RingFileDescriptor.CAPACITY_OFFSET, RingFileDescriptor.MAX_MESSAGE_OFFSET, RingFileDescriptor.FLAGS_OFFSET,
            RingFileDescriptor.WAIT_NAME_OFFSET, RingFileDescriptor.SENDER_OPENS_OFFSET,
            RingFileDescriptor.SENDER_EVENTS_OFFSET, RingFileDescriptor.RECEIVER_STATE_OFFSET,
            RingFileDescriptor.RECEIVER_PID_OFFSET, RingFileDescriptor.WAITING_OFFSET,
            RingFileDescriptor.DEATHS_OFFSET,
        };
        final int[] longFields = format == RingFormat.AGRONA ? new int[] {
            RingFileDescriptor.FILE_LENGTH_OFFSET, RingFileDescriptor.CONSUMED_TO_OFFSET,
            trailer + RingBufferDescriptor.TAIL_POSITION_OFFSET, trailer + RingBufferDescriptor.HEAD_POSITION_OFFSET,
            trailer + RingBufferDescriptor.HEAD_CACHE_POSITION_OFFSET,
        } : new int[] {
            RingFileDescriptor.FILE_LENGTH_OFFSET, trailer + StampedRingDescriptor.TAIL_OFFSET,
            trailer + StampedRingDescriptor.subscriberOffset(0) + StampedRingDescriptor.SUBSCRIBER_POSITION,
        };
        final long[] interesting = {0, -1, 1, 7, 8, 64, capacity - 8, capacity, capacity + 8, 2L * capacity,
            1 << 30, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 6 << 8, 0xFF << 8};
        while (!stop.get()) {
            if (random.nextBoolean()) {
                map.put(0, original);
                if (random.nextInt(4) == 0) { // a state ends can use again: empty ring, positions at zero
                    for (int i = 0; i < capacity; i += 8) {
                        map.putLong(ring + i, 0);
                    }
                    for (final int position : longFields) {
                        map.putLong(position, 0);
                    }
                }
            }
            final long value = random.nextInt(3) == 0 ? random.nextLong() : interesting[random.nextInt(interesting.length)];
            switch (random.nextInt(5)) {
                case 0 -> map.putInt(intFields[random.nextInt(intFields.length)], (int) value);
                case 1 -> map.putLong(longFields[random.nextInt(longFields.length)], value);
                case 2 -> { // a slot: pid, tid, generation or claim-from
                    final int slot = RingFileDescriptor.slotOffset(random.nextInt(4));
                    final int[] fields = {RingFileDescriptor.SLOT_PID, RingFileDescriptor.SLOT_TID,
                        RingFileDescriptor.SLOT_GENERATION};
                    if (format == RingFormat.IPCKIT && random.nextBoolean()) { // the claim announcement
                        final int[] claim = {StampedRingDescriptor.CLAIM_POSITION_OFFSET,
                            StampedRingDescriptor.CLAIM_STEP_OFFSET, StampedRingDescriptor.CLAIM_FRAME_OFFSET};
                        final int field = claim[random.nextInt(claim.length)];
                        if (field == StampedRingDescriptor.CLAIM_POSITION_OFFSET) {
                            map.putLong(slot + field, value);
                        } else {
                            map.putInt(slot + field, (int) value);
                        }
                    } else if (random.nextBoolean()) {
                        map.putLong(slot + RingFileDescriptor.SLOT_CLAIM_FROM, value);
                    } else {
                        map.putInt(slot + fields[random.nextInt(fields.length)], (int) value);
                    }
                }
                default -> { // a record header: length or type (frame length or stamp)
                    final int index = ring + (random.nextInt(capacity / 8) * 8);
                    map.putInt(index + (random.nextBoolean() ? 0 : 4), (int) value);
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(50_000)); // the writer's own pace
        }
    }
}
