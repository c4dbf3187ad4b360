package dev.ipckit.bench;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastReceiver;
import org.agrona.concurrent.broadcast.CopyBroadcastReceiver;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import dev.ipckit.Channels;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;

/**
 * One subscriber process of a one-to-many row, run in its own JVM by {@link FanSession}: it joins the sender's
 * stream, says so in its slot of the control file ({@link FanControl}), takes every message in order (each carries
 * its sequence number, from 0, in its first 8 bytes) and publishes its count once per poll; in {@code echo} mode it
 * also sends every message back on the reply channel (the designated subscriber of a round-trip row). It waits
 * with a yielding, parking wait, never a pure spin: with two cores, N spinning subscribers and a sender would take
 * more cores than there are.
 *
 * <pre>
 * FanSubscriber KIND INDEX echo|count CONTROL PARENT_PID ERROR_FILE TARGET [REPLY]
 *   KIND ipckit   TARGET the subscriber's URI (mmap:...?subscribers=N&amp;wait=backoff), REPLY the reply sender's URI
 *   KIND agrona   TARGET the file: Agrona's broadcast buffer, then the reply ring ({@link FanSession#agronaLayout})
 *   KIND aeron    TARGET the media driver's directory: {@link #AERON_STREAM} in, {@link #AERON_ECHO_STREAM} out
 * </pre>
 *
 * A lossless kind (ipckit with {@code slow=block}, Aeron IPC) fails on a missing or repeated sequence number;
 * Agrona's broadcast never waits for its receivers, so a lapped subscriber counts what it lost and goes on. It
 * exits 0 when the sender says stop (or closes its end), and 1 after a failure, whose sentence goes to standard
 * error and to ERROR_FILE.
 */
public final class FanSubscriber {
    /** The Aeron rows' data stream, on {@link AeronIpcPeer#CHANNEL}. */
    static final int AERON_STREAM = 1004;
    /** The Aeron round-trip rows' reply stream. */
    static final int AERON_ECHO_STREAM = 1005;
    /** Agrona's message type of every message of the Agrona rows. */
    static final int AGRONA_TYPE = 1;
    private static final Duration SLICE = Duration.ofMillis(100);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int POLL_LIMIT = 256;
    private static final int LIVENESS_MASK = (1 << 10) - 1;

    private final FanControl control;
    private final int index;
    private final boolean echo;
    private final boolean lossy;
    private final long parent;
    private final UnsafeBuffer reply = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private int replyLength;
    private long expected;
    private long received;
    private long lost;
    private long idle;

    private FanSubscriber(final FanControl control, final int index, final boolean echo, final boolean lossy,
                          final long parent) {
        this.control = control;
        this.index = index;
        this.echo = echo;
        this.lossy = lossy;
        this.parent = parent;
    }

    /**
     * @param args KIND INDEX echo|count CONTROL PARENT_PID ERROR_FILE TARGET [REPLY].
     */
    public static void main(final String[] args) {
        if (args.length < 7 || args.length > 8 || !args[2].matches("echo|count")) {
            System.err.println("usage: FanSubscriber ipckit|agrona|aeron INDEX echo|count CONTROL PARENT_PID "
                + "ERROR_FILE TARGET [REPLY]");
            System.exit(2);
        }
        try (FanControl control = FanControl.open(Path.of(args[3]))) {
            final FanSubscriber subscriber = new FanSubscriber(control, Integer.parseInt(args[1]),
                args[2].equals("echo"), args[0].equals("agrona"), Long.parseLong(args[4]));
            switch (args[0]) {
                case "ipckit" -> subscriber.ipckit(args[6], args.length == 8 ? args[7] : null);
                case "agrona" -> subscriber.agrona(args[6]);
                case "aeron" -> subscriber.aeron(args[6]);
                default -> throw new IllegalArgumentException("KIND=" + args[0] + " is not ipckit, agrona or aeron");
            }
        } catch (final RuntimeException e) {
            final String sentence = "subscriber " + args[1] + ": "
                + (e.getMessage() == null ? e.toString() : e.getMessage());
            System.err.println(sentence);
            try {
                Files.writeString(Path.of(args[5]), sentence + System.lineSeparator(), StandardCharsets.UTF_8);
            } catch (final IOException io) {
                System.err.println("subscriber " + args[1] + ": cannot write " + args[5] + ": " + io.getMessage());
            }
            System.exit(1);
        }
        System.exit(0);
    }

    /**
     * Takes one message: checks its sequence number, counts it, and keeps a copy to echo.
     *
     * @param buffer the message's buffer.
     * @param offset where it starts.
     * @param length its length.
     */
    private void take(final DirectBuffer buffer, final int offset, final int length) {
        final long sequence = length >= Long.BYTES ? buffer.getLong(offset) : -1;
        if (sequence != expected) {
            if (!lossy || sequence < expected) {
                throw new BrokenStream("message " + expected + " arrived as " + sequence + " (" + length
                    + " bytes): lost, repeated or torn");
            }
            lost += sequence - expected;
        }
        expected = sequence + 1;
        received++;
        if (echo) {
            buffer.getBytes(offset, reply, 0, length);
            replyLength = length;
        }
    }

    /** After a poll: publishes the counts, or, when nothing came, checks that the sender still runs. */
    private void after(final int taken) {
        if (taken > 0) {
            control.publish(index, received, lost);
            idle = 0;
        } else if ((++idle & LIVENESS_MASK) == 0 && !ProcessHandle.of(parent).map(ProcessHandle::isAlive)
            .orElse(false)) {
            throw new IllegalStateException("the sending process " + parent + " has gone");
        }
    }

    private void ipckit(final String uri, final String replyUri) {
        final MessageHandler handler = this::take;
        try (Receiver receiver = Channels.openReceiver(uri);
             Sender replies = echo ? Channels.openSender(replyUri) : null) {
            control.join(index);
            while (!control.stopped()) {
                final int taken;
                try {
                    taken = receiver.poll(handler, echo ? 1 : POLL_LIMIT, SLICE);
                } catch (final PeerGoneException closed) {
                    return;
                }
                if (taken > 0 && echo && !replies.offer(reply, 0, replyLength, TIMEOUT)) {
                    throw new IllegalStateException("the reply channel " + replyUri + " stayed full for " + TIMEOUT);
                }
                after(taken);
            }
        } catch (final PeerGoneException closed) {
            // the sender closed while this end echoed: the row is over
        }
    }

    private void agrona(final String file) {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(new File(file), "fan-out broadcast file");
        try {
            final FanSession.AgronaLayout layout = FanSession.agronaLayout(mapped.capacity());
            final CopyBroadcastReceiver receiver = new CopyBroadcastReceiver(new BroadcastReceiver(
                new UnsafeBuffer(mapped, 0, layout.broadcastLength())), new UnsafeBuffer(new byte[64 * 1024]));
            final RingBuffer replies = layout.replies(mapped);
            final org.agrona.concurrent.MessageHandler handler = (type, buffer, offset, length) ->
                take(buffer, offset, length);
            final IdleStrategy wait = new BackoffIdleStrategy();
            control.join(index);
            while (!control.stopped()) {
                int taken = 0;
                while (taken < POLL_LIMIT) {
                    try {
                        if (receiver.receive(handler) == 0) {
                            break;
                        }
                    } catch (final BrokenStream e) {
                        throw e;
                    } catch (final IllegalStateException lapped) {
                        continue; // Agrona's receiver was lapped and moved on; the next sequence number says how far
                    }
                    taken++;
                    if (echo) {
                        reply(replies, wait);
                    }
                }
                after(taken);
                wait.idle(taken);
            }
        } finally {
            IoUtil.unmap(mapped);
        }
    }

    /** A message out of order on a lossless stream, or going backwards on a lossy one. */
    private static final class BrokenStream extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BrokenStream(final String message) {
            super(message);
        }
    }

    private void reply(final RingBuffer replies, final IdleStrategy wait) {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        wait.reset();
        while (!replies.write(AGRONA_TYPE, reply, 0, replyLength)) {
            if (System.nanoTime() - deadline > 0 || control.stopped()) {
                throw new IllegalStateException("the reply ring stayed full for " + TIMEOUT);
            }
            wait.idle();
        }
    }

    private void aeron(final String directory) {
        try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(directory));
             Subscription subscription = aeron.addSubscription(AeronIpcPeer.CHANNEL, AERON_STREAM);
             ExclusivePublication replies = echo
                 ? aeron.addExclusivePublication(AeronIpcPeer.CHANNEL, AERON_ECHO_STREAM) : null) {
            final IdleStrategy wait = new BackoffIdleStrategy();
            while (!subscription.isConnected() || echo && !replies.isConnected()) {
                if (control.stopped()) {
                    return;
                }
                after(0);
                wait.idle();
            }
            control.join(index);
            final io.aeron.logbuffer.FragmentHandler handler = (buffer, offset, length, header) -> {
                take(buffer, offset, length);
                if (echo) {
                    offer(replies, wait);
                }
            };
            while (!control.stopped()) {
                final int taken = subscription.poll(handler, echo ? 1 : POLL_LIMIT);
                after(taken);
                wait.idle(taken);
            }
        }
    }

    private void offer(final ExclusivePublication replies, final IdleStrategy wait) {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long result;
        while ((result = replies.offer(reply, 0, replyLength)) < 0) {
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED
                || System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the echo publication failed: " + Publication.errorString(result));
            }
            wait.idle();
        }
        wait.reset();
    }
}
