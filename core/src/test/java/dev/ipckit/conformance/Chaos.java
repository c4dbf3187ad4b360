package dev.ipckit.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * kill -9 at random moments, round after round, with a child JVM ({@link ChaosPeer}) at the other end of
 * several channels at once. In each round the child sends on some channels and receives (slowly, so that this
 * process's senders are held back) on others; once this process has received a random number of messages and
 * every sender of this process has found its channel full, the child is killed with SIGKILL. Then:
 *
 * <ul>
 *   <li>every receiver here has delivered an intact, in-order prefix of each stream (no torn, lost, duplicated
 *       or reordered message) that holds every message whose offer returned true in the child (the child
 *       records that count after each offer), and then reported the dead sender with {@link PeerGoneException}
 *       within {@link #DETECTION} of the kill, never before it;</li>
 *   <li>every sender here has reported the dead receiver with {@link PeerGoneException} within
 *       {@link #DETECTION}, never hung;</li>
 *   <li>on a transport that keeps messages (mmap), a receiver opened afterwards on the same channel gets every
 *       message the dead child had not handled, intact and in order, preceded at most by the batch it was
 *       handling when it died (the documented at-least-once after a receiver's death), and nothing else;</li>
 *   <li>the next round's new processes use the same channel names.</li>
 * </ul>
 *
 * The seed of the kill moments is printed, and one summary line per run.
 */
public final class Chaos {
    /** How soon after the kill every end must have reported the dead peer. */
    public static final Duration DETECTION = Duration.ofSeconds(10);
    /** The longest a round may take before the kill. */
    private static final Duration ROUND = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final long PAUSE_MICROS = 250;
    private static final int EXIT_SIGKILL = 128 + 9;

    private Chaos() {
    }

    /** Which way a channel's messages flow. */
    public enum Direction {
        /** The child sends, this process receives. */
        CHILD_SENDS,
        /** This process sends, the child receives. */
        CHILD_RECEIVES
    }

    /**
     * One channel of a round.
     *
     * @param label names it in failures, e.g. "one-to-one".
     * @param direction which way the messages flow.
     * @param streams the stream ids: one per child sender thread (several on a producers=many channel), or the
     *     one stream this process sends.
     * @param maxPayload the longest payload of the streams.
     * @param childUri the URI the child opens.
     * @param local opens this process's end, on the thread that then uses and closes it.
     * @param reopen for {@link Direction#CHILD_RECEIVES} over a transport that keeps messages: opens a receiver
     *     on the same channel once the child is dead, to collect what it left; null when nothing is kept.
     * @param batch the most messages the child's receiver takes per poll.
     */
    public record Channel(String label, Direction direction, List<Integer> streams, int maxPayload, String childUri,
                          Supplier<? extends dev.ipckit.Channel> local, Supplier<Receiver> reopen, int batch) {
    }

    /**
     * The channels of one round and how to start its child.
     */
    public interface Round extends AutoCloseable {
        /**
         * @return the channels.
         */
        List<Channel> channels();

        /**
         * Starts the child with these arguments (it waits for its GO file before opening anything).
         *
         * @param childArgs the arguments of {@link ChaosPeer}.
         * @return the child.
         */
        Peer start(List<String> childArgs);

        /**
         * A channel of the same transport, private to this round's child, on which it opens both ends and sends
         * one message before it waits for GO, so that its code is loaded and linked by the time the round starts.
         *
         * @return the URI, or null for no warm-up.
         */
        default String warmUri() {
            return null;
        }

        /**
         * Releases what the round made (pipes). Called after the child is dead and every end closed.
         */
        @Override
        default void close() {
        }
    }

    /**
     * Makes fresh rounds of one transport.
     */
    @FunctionalInterface
    public interface Transport {
        /**
         * @param round its number, from 0.
         * @param dir a directory of its own.
         * @return the round.
         */
        Round prepare(int round, Path dir);
    }

    /**
     * What a run saw.
     *
     * @param name the transport.
     * @param seed the seed of the kill moments.
     * @param rounds rounds run.
     * @param kills children killed with SIGKILL.
     * @param received messages delivered here, each checked intact and in order.
     * @param sent messages this process's senders wrote before the child died.
     * @param sendersGone dead senders reported to receivers here.
     * @param receiversGone dead receivers reported to senders here.
     * @param slowestDetectionNanos the longest time from a kill to a report.
     * @param recovered messages collected from the channel after a receiver died (mmap).
     * @param redelivered of those, messages the dead receiver had handled (at-least-once after its death).
     * @param cutFramesDiscarded frames a kill cut in the middle, discarded whole by the receiver (fifo, pipe).
     * @param recovering whether the transport keeps messages for the next receiver (mmap).
     */
    public record Summary(String name, long seed, int rounds, int kills, long received, long sent, int sendersGone,
                          int receiversGone, long slowestDetectionNanos, long recovered, long redelivered,
                          int cutFramesDiscarded, boolean recovering) {
        @Override
        public String toString() {
            return String.format("chaos %s: %d rounds (seed %d), %d children killed with SIGKILL; %,d messages "
                    + "received intact and in order, %,d sent into receivers that died; %d dead senders and %d dead "
                    + "receivers reported, the slowest %d ms after the kill; %s; lost 0, torn 0, duplicated 0",
                name, rounds, seed, kills, received, sent, sendersGone, receiversGone,
                TimeUnit.NANOSECONDS.toMillis(slowestDetectionNanos), recovering
                    ? String.format("%,d messages recovered from the rings after their receiver died (%,d of them "
                        + "redelivered from the batch it was handling, as documented)", recovered, redelivered)
                    : String.format("%d frames cut by a kill were discarded whole", cutFramesDiscarded));
        }
    }

    /**
     * Runs the rounds, failing with an {@link AssertionError} that names the round and the seed at the first
     * broken promise, and prints the summary line.
     *
     * @param name the transport, for messages.
     * @param transport makes the rounds.
     * @param dir scratch space.
     * @param rounds how many.
     * @param seed the seed of the kill moments.
     * @param maxThreshold the most messages received before a kill.
     * @return what the run saw.
     */
    public static Summary run(final String name, final Transport transport, final Path dir, final int rounds,
                              final long seed, final int maxThreshold) {
        System.out.println("chaos " + name + ": " + rounds + " rounds, seed " + seed + " (repeat with -D"
            + Reliability.CHAOS_SEED + "=" + seed + ")");
        final Random random = new Random(seed);
        final Totals totals = new Totals();
        Prepared next = rounds > 0 ? new Prepared(transport, dir, 0, random.nextInt(maxThreshold + 1)) : null;
        try {
            for (int round = 0; round < rounds; round++) {
                final Prepared current = next;
                next = null;
                final int following = round + 1;
                final Prepared[] started = {null};
                // The next child starts its JVM and warms up while this round runs: a round costs a kill, not a boot.
                final Runnable startNext = following < rounds
                    ? () -> started[0] = new Prepared(transport, dir, following, random.nextInt(maxThreshold + 1))
                    : () -> { };
                try {
                    new RoundRun(name, seed, current, totals).run(startNext);
                } finally {
                    next = started[0];
                    current.close();
                }
            }
        } finally {
            if (next != null) {
                next.close();
            }
        }
        final Summary summary = new Summary(name, seed, rounds, totals.kills, totals.received, totals.sent,
            totals.sendersGone, totals.receiversGone, totals.slowest, totals.recovered, totals.redelivered,
            totals.cutFrames, totals.recovering);
        System.out.println(summary);
        return summary;
    }

    /**
     * A round whose child is started (booting, warming up, then waiting for GO) and whose files are made.
     */
    private static final class Prepared implements AutoCloseable {
        final int round;
        final int threshold;
        final Path dir;
        final Round plan;
        final List<String> args;
        final List<Path> progress = new ArrayList<>();
        final Peer child;

        Prepared(final Transport transport, final Path parent, final int round, final int threshold) {
            this.round = round;
            this.threshold = threshold;
            this.dir = directory(parent.resolve("round-" + round));
            this.plan = transport.prepare(round, dir);
            this.args = new ArrayList<>(List.of(dir.resolve("go").toString(), dir.resolve("ready").toString()));
            if (plan.warmUri() != null) {
                args.addAll(List.of("warm", plan.warmUri()));
            }
            for (final Channel channel : plan.channels()) {
                if (channel.direction() == Direction.CHILD_SENDS) {
                    for (final int stream : channel.streams()) {
                        final Path file = dir.resolve("sent-" + stream);
                        write(file, new byte[ChaosPeer.PROGRESS_LENGTH]);
                        args.addAll(List.of("send", channel.childUri(), Integer.toString(stream),
                            Integer.toString(channel.maxPayload()), file.toString()));
                    }
                    progress.add(null);
                } else {
                    final Path file = dir.resolve("progress-" + progress.size());
                    write(file, new byte[ChaosPeer.PROGRESS_LENGTH]);
                    args.addAll(List.of("recv", channel.childUri(), Integer.toString(channel.streams().get(0)),
                        Integer.toString(channel.maxPayload()), file.toString(), Integer.toString(channel.batch()),
                        Long.toString(PAUSE_MICROS)));
                    progress.add(file);
                }
            }
            Peer started = null;
            try {
                started = plan.start(args);
            } finally {
                if (started == null) {
                    plan.close();
                }
            }
            this.child = started;
        }

        @Override
        public void close() {
            try {
                child.kill();
            } finally {
                plan.close();
                deleteTree(dir);
            }
        }
    }

    private static Path directory(final Path path) {
        try {
            return Files.createDirectories(path);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(final Path root) {
        try (var files = Files.walk(root)) {
            for (final Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class Totals {
        int kills;
        long received;
        long sent;
        int sendersGone;
        int receiversGone;
        long slowest;
        long recovered;
        long redelivered;
        int cutFrames;
        boolean recovering;
    }

    /**
     * One end of this process, on a thread of its own.
     */
    private abstract static class End implements Runnable {
        final Channel channel;
        final Thread thread;
        volatile long killedAt;
        volatile long goneAt;
        volatile String failure;
        volatile long count;

        End(final Channel channel) {
            this.channel = channel;
            this.thread = Thread.ofPlatform().name("chaos-" + channel.label()).unstarted(this);
        }

        /**
         * @return true while the end should go on: false, with a failure recorded, once a deadline passed.
         */
        boolean inTime(final long roundDeadline) {
            final long now = System.nanoTime();
            final long killed = killedAt;
            if (killed != 0 && now - killed > DETECTION.toNanos()) {
                failure = channel.label() + ": no PeerGoneException within " + DETECTION.toSeconds() + " s of the kill";
                return false;
            }
            if (killed == 0 && now - roundDeadline > 0) {
                failure = channel.label() + ": the round ran " + ROUND.toSeconds() + " s without reaching its kill";
                return false;
            }
            return true;
        }

        volatile boolean cutFrame;

        void gone(final PeerGoneException e) {
            goneAt = System.nanoTime();
            cutFrame = e.getMessage().contains("cut short");
            if (killedAt == 0) {
                failure = channel.label() + ": PeerGoneException before the child was killed: " + e.getMessage();
            }
        }
    }

    private static final class ReceivingEnd extends End {
        private final CountDownLatch opened;
        private final long roundDeadline;
        final long[] next;

        ReceivingEnd(final Channel channel, final CountDownLatch opened, final long roundDeadline) {
            super(channel);
            this.opened = opened;
            this.roundDeadline = roundDeadline;
            this.next = new long[channel.streams().stream().mapToInt(Integer::intValue).max().orElse(0) + 1];
        }

        @Override
        public void run() {
            try (Receiver receiver = (Receiver) channel.local().get()) {
                opened.countDown();
                final String[] problem = {null};
                while (problem[0] == null && inTime(roundDeadline)) {
                    try {
                        receiver.poll((buffer, offset, length) -> {
                            if (problem[0] != null) {
                                return;
                            }
                            final int stream = length >= TaggedMessages.PAYLOAD_OFFSET
                                ? TaggedMessages.stream(buffer, offset) : -1;
                            if (!channel.streams().contains(stream)) {
                                problem[0] = "a message of " + length + " bytes names stream " + stream
                                    + ", which nobody sends (torn or foreign)";
                                return;
                            }
                            problem[0] = TaggedMessages.verify(buffer, offset, length, stream, next[stream],
                                channel.maxPayload());
                            next[stream]++;
                            count++;
                        }, 256, POLL);
                    } catch (final PeerGoneException e) {
                        gone(e);
                        return;
                    }
                }
                if (problem[0] != null) {
                    failure = channel.label() + ": " + problem[0];
                }
            } catch (final RuntimeException | Error e) {
                failure = channel.label() + ": " + e;
                opened.countDown();
            }
        }
    }

    private static final class SendingEnd extends End {
        private final CountDownLatch childReady;
        private final long roundDeadline;
        volatile boolean backPressured;

        SendingEnd(final Channel channel, final CountDownLatch childReady, final long roundDeadline) {
            super(channel);
            this.childReady = childReady;
            this.roundDeadline = roundDeadline;
        }

        @Override
        public void run() {
            try {
                if (!childReady.await(ROUND.toNanos(), TimeUnit.NANOSECONDS)) {
                    failure = channel.label() + ": the child never got ready";
                    return;
                }
                final int stream = channel.streams().get(0);
                final UnsafeBuffer buffer = new UnsafeBuffer(
                    ByteBuffer.allocateDirect(TaggedMessages.PAYLOAD_OFFSET + channel.maxPayload()));
                try (Sender sender = (Sender) channel.local().get()) {
                    long index = 0;
                    int length = TaggedMessages.fill(buffer, stream, index, channel.maxPayload());
                    while (inTime(roundDeadline)) {
                        try {
                            boolean written = sender.offer(buffer, 0, length);
                            if (!written) {
                                backPressured = true; // full: the child's receiver holds this sender back
                                written = sender.offer(buffer, 0, length, POLL);
                            }
                            if (written) {
                                count = ++index;
                                length = TaggedMessages.fill(buffer, stream, index, channel.maxPayload());
                            }
                        } catch (final PeerGoneException e) {
                            gone(e);
                            return;
                        }
                    }
                }
            } catch (final InterruptedException e) {
                failure = channel.label() + ": interrupted";
            } catch (final RuntimeException | Error e) {
                failure = channel.label() + ": " + e;
            }
        }
    }

    private static final class RoundRun {
        private final String name;
        private final long seed;
        private final Prepared prepared;
        private final int round;
        private final int threshold;
        private final Totals totals;

        RoundRun(final String name, final long seed, final Prepared prepared, final Totals totals) {
            this.name = name;
            this.seed = seed;
            this.prepared = prepared;
            this.round = prepared.round;
            this.threshold = prepared.threshold;
            this.totals = totals;
        }

        private AssertionError failed(final String what) {
            return new AssertionError("chaos " + name + ", round " + round + " (seed " + seed + ", kill after "
                + threshold + " messages): " + what);
        }

        void run(final Runnable whenReady) {
            final long roundDeadline = System.nanoTime() + ROUND.toNanos();
            final Path go = prepared.dir.resolve("go");
            final Path ready = prepared.dir.resolve("ready");
            final Peer child = prepared.child;
            final List<ReceivingEnd> receivers = new ArrayList<>();
            final List<SendingEnd> senders = new ArrayList<>();
            final List<Path> progress = new ArrayList<>();
            final List<Channel> channels = prepared.plan.channels();
            final CountDownLatch opened = new CountDownLatch(
                (int) channels.stream().filter(c -> c.direction() == Direction.CHILD_SENDS).count());
            final CountDownLatch childReady = new CountDownLatch(1);
            for (int i = 0; i < channels.size(); i++) {
                final Channel channel = channels.get(i);
                if (channel.direction() == Direction.CHILD_SENDS) {
                    receivers.add(new ReceivingEnd(channel, opened, roundDeadline));
                } else {
                    senders.add(new SendingEnd(channel, childReady, roundDeadline));
                    progress.add(prepared.progress.get(i));
                }
            }
            final List<End> ends = new ArrayList<>(receivers);
            ends.addAll(senders);
            try {
                ends.forEach(end -> end.thread.start());
                await(opened, "this process's receivers to open", ends, child);
                write(go, new byte[0]);
                while (!Files.exists(ready)) {
                    check(ends, child, roundDeadline, "the child to open its ends");
                    LockSupport.parkNanos(100_000L);
                }
                childReady.countDown();
                whenReady.run();
                while (!killMoment(receivers, senders)) {
                    check(ends, child, roundDeadline, "the kill moment (" + progress(receivers, senders) + ")");
                    LockSupport.parkNanos(50_000L);
                }
                final long killedAt = System.nanoTime();
                ends.forEach(end -> end.killedAt = killedAt);
                child.kill();
                final Integer exit = child.awaitExit(Duration.ZERO);
                if (exit == null || exit != EXIT_SIGKILL) {
                    throw failed("the child was not running when it was killed (exit " + exit + "); see its stderr");
                }
                totals.kills++;
                for (final End end : ends) {
                    join(end);
                    if (end.failure != null) {
                        throw failed(end.failure);
                    }
                    final long detection = end.goneAt - killedAt;
                    totals.slowest = Math.max(totals.slowest, detection);
                }
                for (final ReceivingEnd receiver : receivers) {
                    for (final int stream : receiver.channel.streams()) {
                        final long committed = ByteBuffer.wrap(read(prepared.dir.resolve("sent-" + stream)))
                            .getLong(ChaosPeer.PROGRESS_HANDLED); // big endian, as the child's MappedByteBuffer
                        final long got = receiver.next[stream];
                        if (got < committed || got > committed + 1) {
                            throw failed(receiver.channel.label() + ": the child's offers of stream " + stream
                                + " returned true " + committed + " times (maybe once more just before the kill), "
                                + "but " + got + " messages were delivered: " + (got < committed
                                ? (committed - got) + " lost" : "more than were sent"));
                        }
                    }
                    totals.received += receiver.count;
                    totals.sendersGone++;
                    totals.cutFrames += receiver.cutFrame ? 1 : 0;
                }
                for (int i = 0; i < senders.size(); i++) {
                    final SendingEnd sender = senders.get(i);
                    totals.sent += sender.count;
                    totals.receiversGone++;
                    totals.recovering |= sender.channel.reopen() != null;
                    recover(sender.channel, sender.count, progress.get(i));
                }
            } finally {
                child.kill();
                final long now = System.nanoTime();
                for (final End end : ends) {
                    if (end.killedAt == 0) {
                        end.killedAt = now; // a failed round: let every end run out within DETECTION
                    }
                }
                for (final End end : ends) {
                    try {
                        end.thread.join(DETECTION.toMillis() * 3);
                    } catch (final InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }

        private static String progress(final List<ReceivingEnd> receivers, final List<SendingEnd> senders) {
            final StringBuilder text = new StringBuilder();
            for (final ReceivingEnd receiver : receivers) {
                text.append(receiver.channel.label()).append(" received ").append(receiver.count).append(", ");
            }
            for (final SendingEnd sender : senders) {
                text.append(sender.channel.label()).append(" sent ").append(sender.count)
                    .append(sender.backPressured ? " and was held back, " : " and was never held back, ");
            }
            return text.substring(0, Math.max(0, text.length() - 2));
        }

        private boolean killMoment(final List<ReceivingEnd> receivers, final List<SendingEnd> senders) {
            long received = 0;
            for (final ReceivingEnd receiver : receivers) {
                received += receiver.count;
            }
            if (received < threshold && !receivers.isEmpty()) {
                return false;
            }
            for (final SendingEnd sender : senders) {
                if (!sender.backPressured) {
                    return false;
                }
            }
            return true;
        }

        private void check(final List<End> ends, final Peer child, final long roundDeadline, final String what) {
            for (final End end : ends) {
                if (end.failure != null) {
                    throw failed(end.failure);
                }
            }
            final Integer exit = child.awaitExit(Duration.ZERO);
            if (exit != null) {
                throw failed("the child exited with " + exit + " while waiting for " + what + "; see its stderr");
            }
            if (System.nanoTime() - roundDeadline > 0) {
                throw failed("waited " + ROUND.toSeconds() + " s for " + what);
            }
        }

        private void await(final CountDownLatch latch, final String what, final List<End> ends, final Peer child) {
            final long deadline = System.nanoTime() + ROUND.toNanos();
            try {
                while (!latch.await(1, TimeUnit.MILLISECONDS)) {
                    check(ends, child, deadline, what);
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("interrupted while waiting for " + what);
            }
            check(ends, child, deadline, what);
        }

        private void join(final End end) {
            try {
                end.thread.join(DETECTION.toMillis() * 3);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("interrupted while joining " + end.channel.label());
            }
            if (end.thread.isAlive()) {
                throw failed(end.channel.label() + ": its thread still runs " + DETECTION.toSeconds() * 3
                    + " s after the kill (hung)");
            }
        }

        /**
         * After a receiver died: what it handled, what the channel kept, and nothing lost in between.
         */
        private void recover(final Channel channel, final long sent, final Path file) {
            final ByteBuffer progress = ByteBuffer.wrap(read(file)); // big endian, as the child's MappedByteBuffer
            final long handled = progress.getLong(ChaosPeer.PROGRESS_HANDLED);
            final long failedAt = progress.getLong(ChaosPeer.PROGRESS_FAILED);
            if (failedAt != 0) {
                throw failed(channel.label() + ": the child's receiver found message " + (failedAt - 1) + " broken");
            }
            if (handled > sent) {
                throw failed(channel.label() + ": the child handled " + handled + " messages of " + sent + " sent");
            }
            if (channel.reopen() == null) {
                return;
            }
            final int stream = channel.streams().get(0);
            final long[] next = {-1};
            final String[] problem = {null};
            final long deadline = System.nanoTime() + DETECTION.toNanos();
            try (Receiver receiver = channel.reopen().get()) {
                while (next[0] < sent && problem[0] == null) {
                    if (System.nanoTime() - deadline > 0) {
                        throw failed(channel.label() + ": after the receiver died, the channel gave back messages "
                            + "up to " + next[0] + " of the " + sent + " sent (the child handled " + handled
                            + "): lost");
                    }
                    receiver.poll((buffer, offset, length) -> {
                        if (problem[0] != null) {
                            return;
                        }
                        if (next[0] < 0) {
                            next[0] = length >= TaggedMessages.PAYLOAD_OFFSET
                                ? TaggedMessages.index(buffer, offset) : 0;
                            if (next[0] > handled) {
                                problem[0] = "the first message kept is " + next[0] + " but the child handled only "
                                    + handled + ": " + (next[0] - handled) + " lost";
                                return;
                            }
                            if (handled - next[0] > channel.batch()) {
                                problem[0] = "the first message kept is " + next[0] + " but the child handled "
                                    + handled + ": more redelivered than the batch of " + channel.batch()
                                    + " it was handling";
                                return;
                            }
                            totals.redelivered += handled - next[0];
                        }
                        problem[0] = TaggedMessages.verify(buffer, offset, length, stream, next[0],
                            channel.maxPayload());
                        next[0]++;
                        totals.recovered++;
                    }, 256, POLL);
                    if (next[0] < 0 && handled == sent) {
                        return; // the child had handled everything: nothing is due
                    }
                }
                if (problem[0] != null) {
                    throw failed(channel.label() + ": after the receiver died: " + problem[0]);
                }
                final int extra = receiver.poll((buffer, offset, length) -> { }, 1);
                if (extra != 0) {
                    throw failed(channel.label() + ": the channel gave back more than was sent");
                }
            }
        }
    }

    private static void write(final Path file, final byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(final Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
