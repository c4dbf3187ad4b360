package dev.ipckit.fifo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.PeerGoneException;
import dev.ipckit.Sender;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.posix.PosixProcess;
import dev.ipckit.spi.AgronaAccess;
import dev.ipckit.spi.ChannelEnd;

/**
 * The sending end of a FIFO or pipe: frames ({@link FrameDescriptor}) written to a non-blocking descriptor.
 *
 * <p>A frame of at most PIPE_BUF bytes is one {@code write(2)}: it goes out whole or, when the pipe is full
 * (EAGAIN), not at all, so {@code offer} returns {@code false} having written nothing.
 *
 * <p>A larger frame cannot be written atomically, and a frame is never abandoned half written. So
 * {@code offer} starts one only when FIONREAD shows room for all of it, or, for a frame larger than the whole
 * pipe buffer, only when the pipe is empty; otherwise it returns {@code false} having written nothing. The room
 * found is remembered and spent by the frames that follow, so the kernel is asked again only when a frame no
 * longer fits in what is left of it: a stream of large frames costs one {@code write(2)} each. Once
 * started, the frame is finished: the sender waits in poll(2) for the receiver to make room, even in the
 * untimed {@code offer}. That wait ends when the frame is out, when the receiver goes
 * ({@link PeerGoneException}), or when the receiver takes no byte for {@code stall=} (30 s by default):
 * then the channel is broken, every later call fails, and the receiver will report the partial frame as
 * discarded when this end closes.
 *
 * <p>The message is copied into a native staging buffer with its header, so the bytes handed to the kernel
 * are native memory whatever backs the caller's buffer; nothing is allocated per message.
 */
final class FramedSender extends ChannelEnd implements Sender {
    private static final int INITIAL_STAGE = 64 * 1024;
    /** Where the frame starts in the staging buffer; before it, a control frame (HELLO, then BYE at close). */
    private static final int FRAME_AT = FrameDescriptor.CONTROL_FRAME_LENGTH;
    /** How long close waits, at most, for room for the BYE frame while the receiver lives. */
    static final long BYE_LINGER_NANOS = 2_000_000_000L;

    private final String name;
    private final int fd;
    private final boolean many;
    private final boolean spin;
    private final long stallNanos;
    /** Little-endian ints at any offset, for the frame headers; no Agrona buffer on the segment paths. */
    private static final ValueLayout.OfInt INT_LE =
        ValueLayout.JAVA_INT_UNALIGNED.withOrder(FrameDescriptor.BYTE_ORDER);

    /** An Agrona view of the staging buffer, made on the first offer of a DirectBuffer only (it needs Unsafe). */
    private UnsafeBuffer stage;
    /** The message of the offer in progress: a DirectBuffer range, or a segment. */
    private DirectBuffer source;
    private int sourceOffset;
    private MemorySegment sourceSegment;
    private Arena arena;
    private MemorySegment stageSegment;
    private boolean inWait;
    /** Whether this is a named FIFO's sender, which can learn its receiver's pid. */
    private final boolean fifo;
    /**
     * The receiver's pid (a FIFO's receivers announce it with a lock), or 0 while unknown: looked up at open, and
     * again when the first frame goes out and when the pipe is full, never per message, since a receiver takes its
     * lock a moment after its open.
     */
    private int receiverPid;
    /** Whether HELLO went out: from then on, close owes the receiver a BYE. */
    private boolean announced;
    /** Whether a frame is partly written: the stream is not at a frame boundary. */
    private boolean midFrame;
    private PeerGoneException gone;
    private long receiverLookups;
    private ChannelException broken;
    /**
     * Bytes this end may still write without asking the kernel for room (FIONREAD): a lower bound of the pipe's
     * free space ({@link #hasRoomFor(int)}); 0 until asked.
     */
    private long room;
    /** The pipe buffer's size, asked with F_GETPIPE_SZ when {@link #room} is renewed; 0 until asked. */
    private int pipeSize;
    /** The bytes queued at the last renewal of {@link #room}. */
    private int queuedAtCheck;

    /**
     * @param uri the URI the end was opened with.
     * @param name the channel as errors name it, e.g. {@code FIFO "/tmp/q.fifo"}.
     * @param fd a non-blocking descriptor open for writing; this end owns it.
     * @param options the end's options.
     */
    FramedSender(final String uri, final String name, final int fd, final StreamOptions options) {
        this(uri, name, fd, options, false);
    }

    /**
     * @param uri the URI the end was opened with.
     * @param name the channel as errors name it.
     * @param fd a non-blocking descriptor open for writing; this end owns it.
     * @param options the end's options.
     * @param fifo whether the descriptor is a named FIFO's, whose receivers name themselves with a lock
     *     ({@link SenderLock#receiverPid(int)}).
     */
    FramedSender(final String uri, final String name, final int fd, final StreamOptions options,
                 final boolean fifo) {
        super("sender", uri, options.maxMessage());
        this.fifo = fifo;
        this.receiverPid = fifo ? SenderLock.receiverPid(fd) : 0;
        this.name = name;
        this.fd = fd;
        this.many = options.many();
        this.spin = options.spin();
        this.stallNanos = options.stallNanos();
        allocateStage(Math.min(INITIAL_STAGE, FrameDescriptor.frameLength(maxMessage)));
    }

    @Override
    public boolean offer(final DirectBuffer buffer, final int offset, final int length) {
        AgronaAccess.check("offer(DirectBuffer, int, int)", uri); // a constant once probed
        source = buffer;
        sourceOffset = offset;
        try {
            return offerNow(length);
        } finally {
            source = null;
        }
    }

    /**
     * The FFM-native form: the segment's bytes go to the staging buffer with {@link MemorySegment#copy}, touching no
     * {@code Unsafe}, so a program that uses only the segment forms needs no {@code --add-exports}.
     */
    @Override
    public boolean offer(final MemorySegment message) {
        final int length = segmentLength(message);
        sourceSegment = message;
        try {
            return offerNow(length);
        } finally {
            sourceSegment = null;
        }
    }

    @Override
    public boolean offer(final MemorySegment message, final Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            return offer(message);
        }
        final int length = segmentLength(message);
        sourceSegment = message;
        try {
            return offerTimed(length, timeout);
        } finally {
            sourceSegment = null;
        }
    }

    private int segmentLength(final MemorySegment message) {
        final long size = message.byteSize();
        if (size > maxMessage) {
            checkUsable(0); // closed first, as for every call after close
            throw new IllegalArgumentException("length=" + size + " is outside 0..maxMessageLength=" + maxMessage
                + " of '" + uri + "'");
        }
        return (int) size;
    }

    private boolean offerNow(final int length) {
        checkUsable(length);
        final int frame = FrameDescriptor.frameLength(length);
        if (frame <= FrameDescriptor.PIPE_BUF) {
            stageFrame(length);
            return writeAtomic(frame);
        }
        try {
            // a large frame may wait for the receiver up to stall=: a close from another thread must wait for it
            enterWait();
            inWait = true;
            if (!hasRoomFor(frame)) {
                learnReceiver();
                checkReaderPresent();
                return false;
            }
            stageFrame(length);
            writeWhole(frame);
            return true;
        } finally {
            inWait = false;
            leaveWait();
        }
    }

    /**
     * Waits in slices of at most {@link Waits#SLICE_NANOS}; {@link #close()} from another thread while this call is
     * in progress ends it with a {@link ChannelClosedException} and closes the descriptor only once this call has
     * left it. An interrupt ends the wait for room within one slice with a {@link ChannelInterruptedException},
     * nothing written; a frame larger than PIPE_BUF that has started is finished first (up to {@code stall=}), since
     * abandoning it would cut the stream.
     */
    @Override
    public boolean offer(final DirectBuffer buffer, final int offset, final int length, final Duration timeout) {
        AgronaAccess.check("offer(DirectBuffer, int, int, Duration)", uri); // a constant once probed
        if (timeout.isZero() || timeout.isNegative()) {
            return offer(buffer, offset, length);
        }
        source = buffer;
        sourceOffset = offset;
        try {
            return offerTimed(length, timeout);
        } finally {
            source = null;
        }
    }

    private boolean offerTimed(final int length, final Duration timeout) {
        checkUsable(length);
        try {
            enterWait();
            inWait = true;
            final long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 2);
            return offerWithin(length, deadline);
        } finally {
            inWait = false;
            leaveWait();
        }
    }

    private boolean offerWithin(final int length, final long deadline) {
        final int frame = FrameDescriptor.frameLength(length);
        if (frame <= FrameDescriptor.PIPE_BUF) {
            stageFrame(length);
            while (!writeAtomic(frame)) {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                ChannelInterruptedException.checkInterrupt("offer", uri);
                Waits.await(fd, PosixPipes.POLLOUT, Math.min(remaining, Waits.SLICE_NANOS), spin);
                checkNotClosedWhileWaiting();
            }
            return true;
        }
        while (!hasRoomFor(frame)) {
            learnReceiver();
            checkReaderPresent();
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            ChannelInterruptedException.checkInterrupt("offer", uri);
            if (queuedAtCheck >= pipeSize || spin) {
                Waits.await(fd, PosixPipes.POLLOUT, Math.min(remaining, Waits.SLICE_NANOS), spin);
            } else {
                // POLLOUT means one free page, less room than this frame needs; nap up to 1 ms, or until the
                // receiver leaves (POLLERR is always reported).
                Waits.await(fd, (short) 0, Math.min(remaining, 1_000_000), false);
            }
            checkNotClosedWhileWaiting();
        }
        stageFrame(length);
        writeWhole(frame);
        return true;
    }

    private void checkNotClosedWhileWaiting() {
        if (isClosed()) {
            throw closed(); // closed by another thread: it waits for us to leave
        }
    }

    private void checkUsable(final int length) {
        if (isClosed()) {
            throw closed();
        }
        if (length < 0 || length > maxMessage) {
            throw new IllegalArgumentException("length=" + length + " is outside 0..maxMessageLength=" + maxMessage
                + " of '" + uri + "'" + (many
                ? " (producers=many caps messages at PIPE_BUF " + FrameDescriptor.PIPE_BUF + " minus the "
                + FrameDescriptor.HEADER_LENGTH + "-byte frame header, so that every frame is written atomically)"
                : "; raise maxMessage= on both ends to send longer messages"));
        }
        if (broken != null) {
            throw new ChannelException(broken.getMessage(), broken);
        }
        if (gone != null) {
            throw new PeerGoneException(gone.reason(), gone.peerPid(), gone.getMessage(), gone.getCause());
        }
    }

    /**
     * Copies the message of the offer in progress, with its header, to the staging buffer.
     */
    private void stageFrame(final int length) {
        final int frame = FrameDescriptor.frameLength(length);
        if (FRAME_AT + frame > stageSegment.byteSize()) {
            allocateStage((int) Math.min(FrameDescriptor.frameLength(maxMessage),
                Math.max(frame, 2 * (stageSegment.byteSize() - FRAME_AT))));
        }
        stageSegment.set(INT_LE, FRAME_AT + FrameDescriptor.LENGTH_OFFSET, length);
        if (sourceSegment != null) {
            MemorySegment.copy(sourceSegment, 0, stageSegment, FRAME_AT + FrameDescriptor.PAYLOAD_OFFSET, length);
            return;
        }
        if (stage == null) {
            stage = new UnsafeBuffer(stageSegment.address(), (int) stageSegment.byteSize());
        }
        stage.putBytes(FRAME_AT + FrameDescriptor.PAYLOAD_OFFSET, source, sourceOffset, length);
    }

    /**
     * A staging buffer for a frame of {@code bytes}, with the HELLO frame in front of it.
     */
    private void allocateStage(final int bytes) {
        final Arena next = Arena.ofShared();
        final MemorySegment segment = next.allocate(FRAME_AT + bytes, 64);
        if (arena != null) {
            arena.close();
        }
        arena = next;
        stageSegment = segment;
        if (stage != null) {
            stage.wrap(segment.address(), FRAME_AT + bytes);
        }
        putControl(FrameDescriptor.HELLO);
    }

    private void putControl(final int kind) {
        stageSegment.set(INT_LE, FrameDescriptor.LENGTH_OFFSET, kind);
        stageSegment.set(INT_LE, FrameDescriptor.PAYLOAD_OFFSET, PosixProcess.getpid());
    }

    /**
     * One write of a frame of at most PIPE_BUF bytes: all of it or, when full, nothing. The first frame carries
     * the HELLO in front of it, in the same write when both fit in PIPE_BUF.
     */
    private boolean writeAtomic(final int frame) {
        int from = FRAME_AT;
        if (!announced) {
            if (FRAME_AT + frame <= FrameDescriptor.PIPE_BUF) {
                from = 0;
            } else if (!writeHello()) {
                return false;
            }
        }
        final int end = FRAME_AT + frame;
        if (from == 0) {
            learnReceiver();
        }
        while (true) {
            final long n = PosixFiles.writeNonBlocking(fd, stageSegment, from, end - from);
            if (n == end - from) {
                announced = true;
                wrote(n);
                return true;
            }
            if (n == -Errno.EAGAIN) {
                learnReceiver();
                return false;
            }
            if (n >= 0) {
                // The kernel keeps writes of at most PIPE_BUF whole on pipes; finish rather than tear the frame.
                announced = true;
                wrote(n);
                finish(from + n, end);
                return true;
            }
            if (n != -Errno.EINTR) {
                throw writeFailed((int) -n, 0, frame);
            }
        }
    }

    /**
     * Writes the HELLO frame alone (one atomic write), before a first frame too long to share its write.
     *
     * @return false when the pipe is full.
     */
    private boolean writeHello() {
        while (true) {
            final long n = PosixFiles.writeNonBlocking(fd, stageSegment, 0, FRAME_AT);
            if (n == FRAME_AT) {
                announced = true;
                wrote(n);
                return true;
            }
            if (n == -Errno.EAGAIN) {
                return false;
            }
            if (n >= 0) {
                announced = true;
                wrote(n);
                finish(n, FRAME_AT);
                return true;
            }
            if (n != -Errno.EINTR) {
                throw writeFailed((int) -n, 0, FRAME_AT);
            }
        }
    }

    /**
     * Whether a frame larger than PIPE_BUF may start now: when the pipe is empty, or when the bytes already
     * queued leave room for the frame with two pages to spare (the kernel keeps bytes in pages, and a partly
     * read first page and a partly filled last page hide up to two pages of the free space).
     *
     * <p>Asking costs a FIONREAD, so the answer is kept as {@link #room}: the free space found, less what this end
     * has written since. That stays a lower bound of the free space, since frames larger than PIPE_BUF have one
     * writer (producers=one) and the receiver only ever makes room; so while frames fit in it, the kernel is not
     * asked again, and a stream of large frames costs one {@code write(2)} each. Should the pipe shrink meanwhile
     * (F_SETPIPE_SZ by the receiver) or a stranger write to it, a frame that does not fit after all is finished
     * as any other started frame is, waiting up to {@code stall=} for the receiver to make room.
     */
    private boolean hasRoomFor(final int frame) {
        if (frame <= room) {
            return true;
        }
        final int queued = PosixPipes.bytesQueued(fd);
        if (pipeSize == 0 || queued > 0) {
            pipeSize = PosixPipes.pipeSize(fd); // asked once, and again only when a frame does not fit
        }
        queuedAtCheck = queued;
        room = Math.max(0L, (long) pipeSize - queued - 2L * FrameDescriptor.PIPE_BUF);
        return queued == 0 || frame <= room;
    }

    /**
     * @param bytes what a write just put in the pipe, which is that much less room ({@link #room}).
     */
    private void wrote(final long bytes) {
        room = Math.max(0L, room - bytes);
    }

    private void checkReaderPresent() {
        if ((PosixPipes.poll(fd, PosixPipes.POLLOUT, 0) & PosixPipes.POLLERR) != 0) {
            throw markGone(new NativeException("write", "fd=" + fd, Errno.EPIPE, readerGoneSentence()), 0, 0);
        }
    }

    /**
     * Writes a frame larger than PIPE_BUF whole, the HELLO in front of it if it is the first: such frames have one
     * writer (producers=one), so the HELLO need not be a write of its own.
     */
    private void writeWhole(final int frame) {
        if (!announced) {
            learnReceiver(); // the first frame; later ones look again only when the pipe is full
        }
        final int from = announced ? FRAME_AT : 0;
        announced = true;
        finish(from, FRAME_AT + frame);
    }

    /**
     * Writes the rest of a started frame, bytes {@code from..end} of the staging buffer, waiting for room as long
     * as the receiver lives and keeps taking bytes.
     */
    private void finish(final long from, final int end) {
        final boolean ownWait = !inWait; // waiting for the receiver may last up to stall=: a close may come
        try {
            if (ownWait) {
                enterWait();
            }
            finishWaiting(from, end);
        } finally {
            if (ownWait) {
                leaveWait();
            }
        }
    }

    private void finishWaiting(final long from, final int end) {
        final int frame = end - FRAME_AT;
        long written = from - FRAME_AT; // may start inside the HELLO in front of the frame: negative
        long stalledSince = 0;
        midFrame = true;
        while (written < frame) {
            final long n = PosixFiles.writeNonBlocking(fd, stageSegment, FRAME_AT + written, frame - written);
            if (n > 0) {
                written += n;
                wrote(n);
                stalledSince = 0;
                continue;
            }
            if (n == -Errno.EAGAIN || n == 0) {
                final long now = System.nanoTime();
                if (stalledSince == 0) {
                    stalledSince = now;
                } else if (now - stalledSince >= stallNanos) {
                    broken = new ChannelException(name + ": the receiver took no byte for " + StreamOptions.text(stallNanos)
                        + " (stall=) while a " + frame + "-byte frame was half written (" + written + " bytes out); the "
                        + "stream cannot go on, so this sender is broken and the receiver will discard the partial "
                        + "frame; close both ends, and make the receiver poll while large messages are sent");
                    throw broken;
                }
                Waits.await(fd, PosixPipes.POLLOUT, Math.min(stallNanos - (now - stalledSince), Waits.SLICE_NANOS),
                    spin);
                checkNotClosedWhileWaiting();
                continue;
            }
            if (n != -Errno.EINTR) {
                throw writeFailed((int) -n, written, frame);
            }
        }
        midFrame = false;
    }

    private ChannelException writeFailed(final int errno, final long written, final int frame) {
        final NativeException failure = new NativeException("write", "fd=" + fd, errno,
            errno == Errno.EPIPE ? readerGoneSentence() : null);
        if (errno == Errno.EPIPE) {
            return markGone(failure, written, frame);
        }
        return failure;
    }

    private String readerGoneSentence() {
        return "no process has " + name + " open for reading any more: the receiver closed its end or its process "
            + "ended (a FIFO or pipe sender cannot tell which)";
    }

    /**
     * Looks the receiver's pid up while it is unknown (one fcntl; called on the first frame and when full).
     */
    private void learnReceiver() {
        if (fifo && receiverPid == 0) {
            receiverLookups++;
            receiverPid = SenderLock.receiverPid(fd);
        }
    }

    /**
     * @return how many times this sender looked its receiver's pid up after it opened; for tests.
     */
    long receiverLookups() {
        return receiverLookups;
    }

    /**
     * The receiver's leaving as a sender of a byte stream sees it: EPIPE, the same whether the receiver closed or
     * was killed, and on a one-way stream the receiver can leave no word. So the reason is {@code CLOSED}; where
     * the receiver's pid was learnt at open, a liveness check says whether its process still runs (then it surely
     * closed its end) or has ended (then whether it closed first cannot be known).
     */
    private PeerGoneException markGone(final NativeException cause, final long written, final int frame) {
        final String who = receiverPid == 0 ? ""
            : " (process " + receiverPid + (PosixProcess.exists(receiverPid)
            ? ", which still runs, so it closed its end)" : ", which has ended: whether it closed its end first or was "
            + "killed cannot be known)");
        gone = new PeerGoneException(PeerGoneException.Reason.CLOSED, receiverPid, "the receiver" + who + " of "
            + name + " ('" + uri + "') is gone: " + readerGoneSentence()
            + (written > 0 ? "; " + written + " of the " + frame + " bytes of the frame in progress went out before" : "")
            + "; open a new sender once a receiver is back", cause);
        return gone;
    }


    @Override
    public boolean isPeerAlive() {
        checkOpen();
        if (gone != null) {
            return false;
        }
        return (PosixPipes.poll(fd, PosixPipes.POLLOUT, 0) & PosixPipes.POLLERR) == 0;
    }

    /**
     * Closes the descriptor and frees the staging buffer. Idempotent. Called from another thread while this
     * sender waits (a timed offer, or a large frame waiting for the receiver), it ends that wait (the offer throws
     * {@link ChannelClosedException}; a frame cut short is discarded by the receiver) and closes the descriptor
     * once the waiting thread has left it, within one {@link Waits#SLICE_NANOS}.
     */
    @Override
    protected void release() {
        try {
            if (announced && !midFrame && broken == null && gone == null) {
                sayBye();
            }
        } finally {
            try {
                PosixFiles.close(fd);
            } finally {
                arena.close();
            }
        }
    }

    /**
     * Writes the BYE frame, so that the receiver can tell this close from a death: one atomic write, waiting up to
     * {@link #BYE_LINGER_NANOS} for room while the receiver lives. A receiver that takes nothing for that long
     * will report this sender as {@code DIED}; a receiver that is gone needs no word.
     */
    private void sayBye() {
        putControl(FrameDescriptor.BYE);
        final long deadline = System.nanoTime() + Math.min(stallNanos, BYE_LINGER_NANOS);
        while (true) {
            final long n = PosixFiles.writeNonBlocking(fd, stageSegment, 0, FRAME_AT);
            if (n == FRAME_AT || (n < 0 && n != -Errno.EAGAIN && n != -Errno.EINTR)) {
                return; // written, or the receiver is gone (EPIPE)
            }
            if (n >= 0) {
                return; // the kernel keeps writes of at most PIPE_BUF whole on pipes; a short write cannot happen
            }
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            Waits.await(fd, PosixPipes.POLLOUT, Math.min(remaining, Waits.SLICE_NANOS), false);
        }
    }

    @Override
    public String toString() {
        return "sender " + uri;
    }
}
