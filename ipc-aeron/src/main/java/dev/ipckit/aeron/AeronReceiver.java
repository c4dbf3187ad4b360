package dev.ipckit.aeron;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import io.aeron.ControlledFragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.ChannelUri;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Receiver;
import dev.ipckit.SegmentHandler;
import dev.ipckit.spi.ChannelEnd;

/**
 * The receiving end of an {@code aeron:udp} channel: an Aeron {@link Subscription} bound to the endpoint, reading
 * the image of the first sender that connects.
 *
 * <ul>
 *   <li>Open binds the endpoint's port and returns at once; {@code poll} returns 0 until a sender connects. One
 *       sender per channel: the image of the first is read, and a second sender to the same endpoint is never
 *       served (its offers stay back-pressured).</li>
 *   <li>Messages arrive whole and in order: Aeron's {@link ControlledFragmentAssembler} puts fragmented messages
 *       together, and Aeron's NAKs repair datagrams the network lost, while both ends live.</li>
 *   <li>The sender is gone when its image becomes unavailable, which Aeron reports only after this end has
 *       consumed everything the image holds: {@link PeerGoneException.Reason#CLOSED} when the image ended with the
 *       sender's end of stream (it closed), {@link PeerGoneException.Reason#DIED} when the sender fell silent for
 *       {@code peerTimeout=} (its process, host or the network died) with what had arrived delivered first.</li>
 *   <li>{@link #poll(SegmentHandler, int)} hands out read-only views of the term buffer (or, for a message that came
 *       in fragments, of the assembler's buffer), without copying.</li>
 * </ul>
 */
public final class AeronReceiver extends ChannelEnd implements Receiver {
    private final AeronOptions options;
    private final AeronSession session;
    private final Subscription subscription;
    private final IdleStrategy idle = EmbeddedDriver.idleStrategy();
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this::onMessage);
    /** The first sender's image; set by the client's conductor thread. */
    private volatile Image image;
    /** How the first sender left, once its image became unavailable; set by the client's conductor thread. */
    private volatile PeerGoneException.Reason goneReason;
    private MessageHandler messageHandler;
    private SegmentHandler segmentHandler;
    private int limit;
    private int delivered;
    private DirectBuffer viewedBuffer;
    private long viewedAddress;
    private int viewedCapacity;
    private MemorySegment viewedSegment;

    private AeronReceiver(final String uri, final AeronOptions options, final AeronSession session) {
        super("receiver", uri, options.maxMessageLength());
        this.options = options;
        this.session = session;
        session.claimReceiver(uri, options);
        try {
            this.subscription = session.aeron().addSubscription(options.subscriptionChannel(), options.stream(),
                this::onAvailable, this::onUnavailable);
        } catch (final AeronException e) {
            session.unclaimReceiver(options);
            throw new ChannelException("Aeron cannot receive on endpoint=" + options.endpoint() + " for '" + uri
                + "': " + e.getMessage() + "; the endpoint must be an address of this host, and its port free (is "
                + "another receiver on it? ss -ulpn shows who holds UDP ports)", e);
        }
    }

    /**
     * Opens a receiver: starts the client (and an embedded driver) and binds the endpoint.
     *
     * @param uri the parsed URI.
     * @param options its options.
     * @return the receiver.
     * @throws ChannelException when the endpoint cannot be bound.
     */
    static AeronReceiver open(final ChannelUri uri, final AeronOptions options) {
        final AeronSession session = AeronSession.acquire(uri.uri(), options);
        try {
            return new AeronReceiver(uri.uri(), options, session);
        } catch (final RuntimeException e) {
            session.release();
            throw e;
        }
    }

    private void onAvailable(final Image available) {
        if (image == null && goneReason == null) {
            image = available;
        }
    }

    private void onUnavailable(final Image unavailable) {
        if (unavailable == image) {
            goneReason = unavailable.isEndOfStream() ? PeerGoneException.Reason.CLOSED : PeerGoneException.Reason.DIED;
        }
    }

    private ControlledFragmentHandler.Action onMessage(final DirectBuffer buffer, final int offset, final int length,
                                                       final Header header) {
        if (segmentHandler != null) {
            segmentHandler.onMessage(view(buffer, offset, length));
        } else {
            messageHandler.onMessage(buffer, offset, length);
        }
        return ++delivered >= limit || isClosed() ? ControlledFragmentHandler.Action.BREAK
            : ControlledFragmentHandler.Action.CONTINUE;
    }

    /** A read-only view of a message; one segment per buffer (a term buffer, the assembler's), sliced per message. */
    private MemorySegment view(final DirectBuffer buffer, final int offset, final int length) {
        final byte[] array = buffer.byteArray();
        if (array != null) {
            return MemorySegment.ofArray(array).asSlice(buffer.wrapAdjustment() + offset, length).asReadOnly();
        }
        if (buffer != viewedBuffer || buffer.addressOffset() != viewedAddress || buffer.capacity() != viewedCapacity) {
            viewedBuffer = buffer;
            viewedAddress = buffer.addressOffset();
            viewedCapacity = buffer.capacity();
            viewedSegment = MemorySegment.ofAddress(viewedAddress).reinterpret(viewedCapacity).asReadOnly();
        }
        return viewedSegment.asSlice(offset, length);
    }

    @Override
    public int poll(final MessageHandler handler, final int limit) {
        checkOpen();
        checkLimit(limit);
        messageHandler = handler;
        segmentHandler = null;
        return pollImage(limit);
    }

    @Override
    public int poll(final SegmentHandler handler, final int limit) {
        checkOpen();
        checkLimit(limit);
        messageHandler = null;
        segmentHandler = handler;
        return pollImage(limit);
    }

    @Override
    public int poll(final MessageHandler handler, final int limit, final Duration timeout) {
        return timedPoll(handler, null, limit, timeout);
    }

    @Override
    public int poll(final SegmentHandler handler, final int limit, final Duration timeout) {
        return timedPoll(null, handler, limit, timeout);
    }

    /**
     * Waits with a backoff idle strategy (spin, yield, then park up to 1 ms); {@link #close()} from another thread
     * ends the wait with a {@link ChannelClosedException}, and an interrupt with a
     * {@link ChannelInterruptedException}.
     */
    private int timedPoll(final MessageHandler handler, final SegmentHandler segments, final int limit,
                          final Duration timeout) {
        try {
            enterWait();
            checkLimit(limit);
            messageHandler = handler;
            segmentHandler = segments;
            int read = pollImage(limit);
            if (read > 0 || isClosed()) {
                return read;
            }
            final long timeoutNs = timeout.toNanos();
            if (timeoutNs <= 0) {
                return 0;
            }
            final long deadline = System.nanoTime() + timeoutNs;
            idle.reset();
            while (true) {
                ChannelInterruptedException.checkInterrupt("poll", uri);
                idle.idle();
                checkOpen(); // closed by another thread while waiting
                read = pollImage(limit);
                if (read > 0 || System.nanoTime() - deadline >= 0) {
                    return read;
                }
            }
        } finally {
            leaveWait();
        }
    }

    private int pollImage(final int limit) {
        final PeerGoneException.Reason gone = goneReason; // read first: what the image held before it went comes first
        final Image current = image;
        if (current != null) {
            this.limit = limit;
            delivered = 0;
            enterCallback();
            try {
                current.controlledPoll(assembler, Integer.MAX_VALUE);
            } finally {
                leaveCallback(); // releases the end when the handler closed it, now that the image is no longer read
            }
            if (delivered > 0) {
                return delivered;
            }
        }
        if (gone != null) {
            throw peerGone(gone);
        }
        session.checkHealthy("poll", uri);
        return 0;
    }

    private PeerGoneException peerGone(final PeerGoneException.Reason reason) {
        if (reason == PeerGoneException.Reason.CLOSED) {
            return new PeerGoneException(reason, 0, "the sender to endpoint=" + options.endpoint() + " of '" + uri
                + "' closed its end: every message it sent has been delivered");
        }
        return new PeerGoneException(reason, 0, "the sender to endpoint=" + options.endpoint() + " of '" + uri
            + "' stopped without closing: nothing came from it for " + (options.external()
            ? "the external driver's image liveness timeout" : "peerTimeout=" + options.peerTimeout().toMillis() + "ms")
            + " (its process, its host or the network died); every message that arrived has been delivered");
    }

    private static void checkLimit(final int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit=" + limit + " is less than 1");
        }
    }


    /**
     * @return true until the sender's image has become unavailable (also before any sender connected).
     * @throws ChannelClosedException when this end is closed.
     */
    @Override
    public boolean isPeerAlive() {
        checkOpen();
        return goneReason == null;
    }

    /**
     * Releases the subscription (and the endpoint's port), the client and an embedded driver with its directory.
     * Idempotent; from another thread during a timed poll it ends that poll first, and from this end's handler it
     * takes effect when the poll returns.
     */
    @Override
    protected void release() {
        try {
            subscription.close();
        } finally {
            session.unclaimReceiver(options);
            session.release();
        }
    }

    @Override
    protected String describe() {
        return ", driver " + session.aeronDirectory();
    }
}
