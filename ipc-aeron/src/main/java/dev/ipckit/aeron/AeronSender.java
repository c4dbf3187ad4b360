package dev.ipckit.aeron;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

import io.aeron.AeronCounters;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.exceptions.AeronException;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.ChannelUri;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Sender;
import dev.ipckit.spi.ChannelEnd;

/**
 * The sending end of an {@code aeron:udp} channel: one Aeron {@link ExclusivePublication} to the endpoint.
 *
 * <ul>
 *   <li>Open waits, up to {@code timeout=} (30 s by default), until a receiver at the endpoint answers (its first
 *       status message), so that the first offer can succeed and a receiver that leaves later is seen to leave.</li>
 *   <li>{@code offer} returns {@code false} when the publication is back-pressured: the receiver's window (what it
 *       has not consumed yet) and the publication's term window are full. While only this end's own driver lags
 *       behind (it has not yet sent what the receiver's window would take) {@code offer} waits for it, at most
 *       100 ms, so that {@code false} always means the receiver is behind. Messages longer than the MTU are split
 *       into fragments, which the receiver puts together again; the longest is an eighth of {@code termLength}.</li>
 *   <li>The receiver is gone when the publication stops being connected: at once when the receiver closes (its
 *       status message says end of stream), after {@code peerTimeout=} of silence when its process, host or the
 *       network died. Aeron's publication does not say which, so the {@link PeerGoneException} reports
 *       {@link PeerGoneException.Reason#DIED} (the receiver did not take the rest of the stream) and its sentence
 *       names both causes.</li>
 *   <li>{@link #close()} ends the stream: it waits, up to {@code linger=} (5 s by default), until the receiver has
 *       taken every message and the end of stream (its status message says so), then stops the publication, the
 *       client and an embedded driver. A receiver that takes longer than that loses what it has not received,
 *       and sees this sender as died.</li>
 * </ul>
 */
public final class AeronSender extends ChannelEnd implements Sender {
    private static final long OPEN_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How long an offer waits, at most, for this end's own driver to send what the receiver's window takes. */
    private static final long DRIVER_LAG_LIMIT_MS = 100;

    private final AeronOptions options;
    private final AeronSession session;
    private final ExclusivePublication publication;
    private final IdleStrategy idle = EmbeddedDriver.idleStrategy();
    /** Wraps the memory of a {@link MemorySegment} being offered, without copying it. */
    private final UnsafeBuffer segmentBuffer = new UnsafeBuffer(0, 0);
    private UnsafeBuffer scratch;
    private MemorySegment scratchSegment;
    private PeerGoneException gone;
    private final CountersReader counters;
    /** The driver's sender position of this publication: how far it has sent. */
    private final int senderPosition;
    /** The driver's sender limit: how far the receiver's window lets it send. */
    private final int senderLimit;

    private AeronSender(final String uri, final AeronOptions options, final AeronSession session,
                        final ExclusivePublication publication) {
        super("sender", uri, options.maxMessageLength());
        this.options = options;
        this.session = session;
        this.publication = publication;
        this.counters = session.aeron().countersReader();
        this.senderPosition = counters.findByTypeIdAndRegistrationId(AeronCounters.DRIVER_SENDER_POSITION_TYPE_ID,
            publication.registrationId());
        this.senderLimit = counters.findByTypeIdAndRegistrationId(AeronCounters.DRIVER_SENDER_LIMIT_TYPE_ID,
            publication.registrationId());
    }

    /**
     * Opens a sender: starts the client (and an embedded driver), adds the publication and waits for a receiver.
     *
     * @param uri the parsed URI.
     * @param options its options.
     * @return the sender.
     * @throws ChannelException when no receiver answers within {@code timeout=} or Aeron refuses the channel.
     * @throws ChannelInterruptedException when the opening thread is interrupted while it waits.
     */
    static AeronSender open(final ChannelUri uri, final AeronOptions options) {
        final AeronSession session = AeronSession.acquire(uri.uri(), options);
        try {
            final ExclusivePublication publication;
            try {
                publication = session.aeron().addExclusivePublication(options.publicationChannel(), options.stream());
            } catch (final AeronException e) {
                throw new ChannelException("Aeron refused a publication to endpoint=" + options.endpoint() + " for '"
                    + uri + "': " + e.getMessage() + "; check the host name or address and the interface", e);
            }
            awaitReceiver(uri.uri(), options, session, publication);
            return new AeronSender(uri.uri(), options, session, publication);
        } catch (final RuntimeException e) {
            session.release();
            throw e;
        }
    }

    private static void awaitReceiver(final String uri, final AeronOptions options, final AeronSession session,
                                      final ExclusivePublication publication) {
        final long deadline = System.nanoTime() + options.openTimeout().toNanos();
        while (!publication.isConnected()) {
            ChannelInterruptedException.checkInterrupt("open", uri);
            session.checkHealthy("open", uri);
            if (System.nanoTime() - deadline >= 0) {
                throw new ChannelException("no receiver answered at endpoint=" + options.endpoint() + " within timeout="
                    + options.openTimeout().toMillis() + "ms for '" + uri + "'; start the receiving end first (e.g. "
                    + "ipckit recv '" + uri + "'), check the address and port, and that UDP to it is not blocked by "
                    + "a firewall, or raise timeout=" + (session.lastError() == null ? ""
                    : " (Aeron last reported: " + session.lastError().getMessage() + ")"));
            }
            LockSupport.parkNanos(OPEN_PARK_NANOS);
        }
    }

    @Override
    public boolean offer(final DirectBuffer buffer, final int offset, final int length) {
        checkOpen();
        checkLength(length);
        return offerChecked(buffer, offset, length);
    }

    /**
     * Waits with a backoff idle strategy (spin, yield, then park up to 1 ms); {@link #close()} from another thread
     * ends the wait with a {@link ChannelClosedException}, and an interrupt with a
     * {@link ChannelInterruptedException}.
     */
    @Override
    public boolean offer(final DirectBuffer buffer, final int offset, final int length, final Duration timeout) {
        try {
            enterWait();
            checkLength(length);
            if (offerChecked(buffer, offset, length)) {
                return true;
            }
            final long timeoutNs = timeout.toNanos();
            if (timeoutNs <= 0) {
                return false;
            }
            final long deadline = System.nanoTime() + timeoutNs;
            idle.reset();
            while (true) {
                ChannelInterruptedException.checkInterrupt("offer", uri);
                idle.idle();
                checkOpen(); // closed by another thread while waiting
                if (offerChecked(buffer, offset, length)) {
                    return true;
                }
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
            }
        } finally {
            leaveWait();
        }
    }

    /**
     * The FFM-native form: a native segment's memory, or a heap segment's byte array, is handed to the publication
     * as it is (Aeron copies it once, into the term buffer, as for a {@link DirectBuffer}); any other segment is
     * copied into a buffer of this end first.
     */
    @Override
    public boolean offer(final MemorySegment message) {
        checkOpen();
        final int length = checkLength(message.byteSize());
        return offerChecked(wrap(message, length), 0, length);
    }

    @Override
    public boolean offer(final MemorySegment message, final Duration timeout) {
        checkOpen();
        final int length = checkLength(message.byteSize());
        return offer(wrap(message, length), 0, length, timeout);
    }

    private DirectBuffer wrap(final MemorySegment message, final int length) {
        if (message.isNative()) {
            segmentBuffer.wrap(message.address(), length);
            return segmentBuffer;
        }
        if (message.heapBase().orElse(null) instanceof byte[] array) {
            segmentBuffer.wrap(array, (int) message.address(), length);
            return segmentBuffer;
        }
        if (scratch == null) {
            final ByteBuffer direct = ByteBuffer.allocateDirect(Math.max(1, maxMessage));
            scratch = new UnsafeBuffer(direct);
            scratchSegment = MemorySegment.ofBuffer(direct);
        }
        MemorySegment.copy(message, 0, scratchSegment, 0, length);
        return scratch;
    }

    private boolean offerChecked(final DirectBuffer buffer, final int offset, final int length) {
        if (gone != null) {
            throw gone;
        }
        long result = publication.offer(buffer, offset, length);
        if (result == Publication.ADMIN_ACTION) {
            result = publication.offer(buffer, offset, length); // a term rotated: the next attempt usually succeeds
        }
        if (result == Publication.BACK_PRESSURED && driverCanSend()) {
            result = offerWhileTheDriverSends(buffer, offset, length);
        }
        return result > 0 || refused(result);
    }

    /**
     * Whether this end's own driver has room to send what it holds: the receiver's window is not full yet, so the
     * back-pressure is the driver's lag behind the publication, which the next duty cycles clear.
     */
    private boolean driverCanSend() {
        if (senderPosition == CountersReader.NULL_COUNTER_ID || senderLimit == CountersReader.NULL_COUNTER_ID) {
            return false;
        }
        final long sent = counters.getCounterValue(senderPosition);
        return sent < counters.getCounterValue(senderLimit) && sent < publication.position();
    }

    /**
     * {@code false} from {@code offer} means the receiver's window and the publication's are full, never that this
     * end's driver has not yet sent what the receiver's window would take: wait for the driver, at most
     * {@value #DRIVER_LAG_LIMIT_MS} ms, for the room it is about to make.
     */
    private long offerWhileTheDriverSends(final DirectBuffer buffer, final int offset, final int length) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRIVER_LAG_LIMIT_MS);
        long result = Publication.BACK_PRESSURED;
        while ((result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) && driverCanSend()
            && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            result = publication.offer(buffer, offset, length);
        }
        return result;
    }

    private boolean refused(final long result) {
        if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION) {
            session.checkHealthy("offer", uri);
            return false;
        }
        if (result == Publication.NOT_CONNECTED) {
            gone = new PeerGoneException(PeerGoneException.Reason.DIED, 0, "the receiver at endpoint="
                + options.endpoint() + " of '" + uri + "' is gone: it closed its end, or it stopped answering for "
                + peerTimeoutText() + " (its process, its host or the network died); an Aeron publication cannot "
                + "tell which, and messages it had not received are lost");
            throw gone;
        }
        session.checkHealthy("offer", uri);
        if (result == Publication.MAX_POSITION_EXCEEDED) {
            throw new ChannelException("offer on '" + uri + "' failed: the publication has reached its largest "
                + "position (2^31 terms of termLength=" + options.termLength() + "); close this end and open a new "
                + "one");
        }
        throw new ChannelException("offer on '" + uri + "' failed: the media driver in " + session.aeronDirectory()
            + " closed the publication (" + Publication.errorString(result) + "); close this end and open a new one");
    }

    private String peerTimeoutText() {
        return options.external() ? "the external driver's publication connection timeout"
            : "peerTimeout=" + options.peerTimeout().toMillis() + "ms";
    }

    private int checkLength(final long length) {
        if (length < 0 || length > maxMessage) {
            throw new IllegalArgumentException("length=" + length + ", maxMessageLength=" + maxMessage + " on '" + uri
                + "'" + (length > maxMessage ? " (an eighth of termLength=" + options.termLength() + "; raise "
                + "termLength on both ends for longer messages)" : ""));
        }
        return (int) length;
    }


    /**
     * @return false once the publication is no longer connected (the receiver closed, or fell silent for the peer
     *     timeout).
     * @throws ChannelClosedException when this end is closed.
     */
    @Override
    public boolean isPeerAlive() {
        checkOpen();
        return gone == null && publication.isConnected();
    }

    /**
     * Ends the stream, waiting up to {@code linger=} for the receiver to take every message (see the class comment),
     * and releases the publication, the client and an embedded driver with its directory.
     */
    @Override
    protected void release() {
        try {
            final boolean linger = gone == null && publication.isConnected() && !options.linger().isZero();
            final long registrationId = publication.registrationId();
            final int limitCounter = publication.positionLimitId();
            publication.close();
            if (linger) {
                awaitEndOfStreamTaken(registrationId, limitCounter);
            }
        } finally {
            session.release();
        }
    }

    /**
     * The driver keeps a closed publication (and its position-limit counter) until the receiver's status message
     * says it has taken the end of stream, or until the publication's linger (this end's {@code linger=}) has
     * passed: wait for that counter to go, at most {@code linger=}.
     */
    private void awaitEndOfStreamTaken(final long registrationId, final int limitCounter) {
        final CountersReader counters = session.aeron().countersReader();
        final long deadline = System.nanoTime() + options.linger().toNanos();
        while (counters.getCounterState(limitCounter) == CountersReader.RECORD_ALLOCATED
            && counters.getCounterRegistrationId(limitCounter) == registrationId
            && System.nanoTime() - deadline < 0 && !session.aeron().isClosed()
            && !Thread.currentThread().isInterrupted()) { // an interrupted close stops waiting, keeping the status
            LockSupport.parkNanos(OPEN_PARK_NANOS);
        }
    }

    @Override
    protected String describe() {
        return ", driver " + session.aeronDirectory();
    }
}
