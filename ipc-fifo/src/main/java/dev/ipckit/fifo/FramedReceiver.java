package dev.ipckit.fifo;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import dev.ipckit.ChannelClosedException;
import dev.ipckit.ChannelException;
import dev.ipckit.ChannelInterruptedException;
import dev.ipckit.MessageHandler;
import dev.ipckit.PeerGoneException;
import dev.ipckit.SegmentHandler;
import dev.ipckit.posix.Errno;
import dev.ipckit.posix.NativeException;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;
import dev.ipckit.spi.AgronaAccess;
import dev.ipckit.spi.ChannelEnd;

/**
 * The receiving end of a FIFO or pipe: reads a non-blocking descriptor into a {@link FrameDecoder}'s native
 * buffer, as much as one {@code read(2)} returns, and hands every complete frame ({@link FrameDescriptor}) to
 * the handler straight from that buffer. Nothing is allocated per message; one read usually brings many
 * messages. With {@code readahead=false} a read takes no more than the frames the poll may still deliver (a
 * header, then the payload and the next header), so a receiver asked for N messages leaves the rest in the FIFO. A header announcing a negative length or more than maxMessageLength is a corrupt stream: a
 * {@link ChannelException} names the channel and the length, and nothing more is read.
 *
 * <p>End of file after a sender was seen means every sender has gone. Complete frames are still delivered;
 * then {@link PeerGoneException}, whose reason says how the senders left (closed, died or cut a frame, from
 * the HELLO and BYE control frames of {@link FrameDescriptor}) and whose message says how many bytes of a
 * partial last frame were discarded.
 * A FIFO receiver that has not seen a sender yet reads end of file too; it tells the two apart by poll(2):
 * the kernel reports POLLHUP on a FIFO only once a writer has come and gone since the reader opened.
 *
 * <p>A timed poll of a {@code wait=block} receiver that has to wait sleeps in read(2) itself, on a second, blocking
 * descriptor of the same pipe, ended by a signal at its deadline, on an interrupt or on a close
 * ({@link BlockingReads}); where that cannot be, it waits in poll(2) slices ({@link Waits}).
 */
final class FramedReceiver extends ChannelEnd implements StreamReceiver {
    private final String name;
    private final int fd;
    private final boolean spin;
    /** Whether reads take what the pipe holds (true) or only the bytes of frames a poll may deliver. */
    private final boolean readahead;
    private final FrameDecoder decoder;
    /**
     * A second, blocking open file description of the same pipe, for a {@code wait=block} receiver's waits
     * ({@link BlockingReads}), or -1 when it waits in poll(2).
     */
    private final int blockingFd;
    private final BlockingReads.Waiter waiter;
    private boolean writerSeen;
    private PeerGoneException gone;
    private int droppedAtClose;
    /** Whether the last timed poll found nothing at first and waited. */
    private boolean waitedLast;
    /** Whether the last timed poll delivered messages: a stream may be flowing. */
    private boolean streaming;
    /**
     * How long a timed poll that may deliver several messages ({@code wait=block}) naps when it finds the pipe empty
     * right after a poll that delivered, before it waits in poll(2): long enough for a sender to queue a batch, short
     * beside a scheduler tick. A poll of one message (a request/reply rhythm) never naps.
     */
    static final long COALESCE_NANOS = 20_000L;

    /**
     * @param uri the URI the end was opened with.
     * @param name the channel as errors name it, e.g. {@code FIFO "/tmp/q.fifo"}.
     * @param fd a non-blocking descriptor open for reading; this end owns it.
     * @param options the end's options.
     * @param writerSeen true when end of file already means the sender is gone (a pipe, whose write end
     *     existed before this end).
     */
    FramedReceiver(final String uri, final String name, final int fd, final StreamOptions options,
                   final boolean writerSeen) {
        super("receiver", uri, options.maxMessage());
        this.name = name;
        this.fd = fd;
        this.spin = options.spin();
        this.readahead = options.readahead();
        this.writerSeen = writerSeen;
        this.decoder = new FrameDecoder(name, uri, maxMessage);
        this.blockingFd = spin || !BlockingReads.AVAILABLE ? -1 : BlockingReads.openBlocking(fd);
        this.waiter = blockingFd < 0 ? null : BlockingReads.register();
    }

    @Override
    public int poll(final MessageHandler handler, final int limit) {
        AgronaAccess.check("poll(MessageHandler, int)", uri); // a constant once probed
        return pollAny(handler, limit, true);
    }

    /**
     * The FFM-native form: each message is a read-only slice of the receiver's native buffer, and nothing on this
     * path touches {@code Unsafe}, so a program that uses only the segment forms needs no {@code --add-exports}.
     */
    @Override
    public int poll(final SegmentHandler handler, final int limit) {
        return pollAny(handler, limit, true);
    }

    @Override
    public int poll(final SegmentHandler handler, final int limit, final Duration timeout) {
        return pollTimed(handler, limit, timeout);
    }

    /**
     * @param handler a {@link MessageHandler} or a {@link SegmentHandler}.
     * @param read whether to read the descriptor when the buffer holds fewer than {@code limit} messages.
     */
    private int pollAny(final Object handler, final int limit, final boolean read) {
        checkUsable(limit);
        enterCallback();
        try {
            return pollOnce(handler, limit, read);
        } finally {
            leaveCallback(); // releases the end when the handler closed it, now that the buffer is no longer read
        }
    }

    private int pollOnce(final Object handler, final int limit, final boolean read) {
        final int delivered = decoder.deliverTo(handler, limit);
        if (isClosed()) {
            return delivered;
        }
        if (delivered == limit) {
            return delivered;
        }
        if (gone != null) {
            if (delivered > 0) {
                return delivered;
            }
            throw new PeerGoneException(gone.reason(), gone.peerPid(), gone.getMessage(), gone);
        }
        if (!read) {
            return delivered;
        }
        long n = fill(limit - delivered);
        if (n == 0 && !writerSeen && hungUp()) {
            // No writer had come when the read found the FIFO empty; one has come and gone since (POLLHUP), and
            // what it wrote is still in the FIFO: read that before calling the sender gone.
            writerSeen = true;
            n = fill(limit - delivered);
        }
        if (n > 0) {
            writerSeen = true;
            decoder.appended((int) n);
            int total = delivered + decoder.deliverTo(handler, limit - delivered);
            // Without read-ahead a read brings at most one frame (and the next header): read on while the poll
            // may deliver more and the pipe gives more, so that a poll of many messages is not a poll of one.
            while (!readahead && total < limit && n > 0 && !isClosed()) {
                n = fill(limit - total);
                if (n <= 0) {
                    break; // empty for now (EAGAIN) or end of file: the next poll sees it again
                }
                decoder.appended((int) n);
                total += decoder.deliverTo(handler, limit - total);
            }
            return total;
        }
        if (n == 0) {
            if (writerSeen) {
                gone = peerGone();
                if (delivered > 0) {
                    return delivered;
                }
                throw gone;
            }
            return delivered; // a FIFO no sender has opened yet
        }
        if (n == -Errno.EAGAIN || n == -Errno.EINTR) {
            return delivered;
        }
        throw new NativeException("read", "fd=" + fd + " (" + name + ")", (int) -n);
    }

    @Override
    public int poll(final MessageHandler handler, final int limit, final Duration timeout) {
        AgronaAccess.check("poll(MessageHandler, int, Duration)", uri); // a constant once probed
        return pollTimed(handler, limit, timeout);
    }

    private int pollTimed(final Object handler, final int limit, final Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            return pollAny(handler, limit, true);
        }
        final long deadline = System.nanoTime() + Math.min(timeout.toNanos(), Long.MAX_VALUE / 2);
        try {
            enterWait();
            // After a poll that had to wait (a request/reply rhythm), the pipe is most likely empty again: wait in
            // poll(2) at once, which returns at once if it is not, and save the read that would find it empty.
            boolean read = !waitedLast;
            final int first = pollAny(handler, limit, read);
            if (first > 0) {
                waitedLast = false;
                streaming = true;
                return first;
            }
            if (isClosed()) {
                throw closed(); // another thread closed this end meanwhile
            }
            if (streaming && limit > 1 && !spin) {
                // A batch consumer that keeps up with a stream finds the pipe empty after every read: asleep in
                // poll(2), it would be woken by each write, one wake-up (and one read) per message, and each wake-up
                // is paid by the sender inside its write(2). Napping briefly off the pipe's wait queue instead lets
                // the sender fill the pipe undisturbed, and the next read brings a batch.
                streaming = false;
                final long nap = Math.min(deadline - System.nanoTime(), COALESCE_NANOS);
                if (nap > 0) {
                    ChannelInterruptedException.checkInterrupt("poll", uri);
                    LockSupport.parkNanos(nap);
                    read = true;
                    final int next = pollAny(handler, limit, true); // ChannelClosedException once closed meanwhile
                    if (next > 0) {
                        waitedLast = false;
                        streaming = true;
                        return next;
                    }
                }
            }
            waitedLast = true;
            while (true) {
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return read ? 0 : pollAny(handler, limit, true); // a call that ends must have looked at the pipe
                }
                ChannelInterruptedException.checkInterrupt("poll", uri);
                read = true;
                if (writerSeen && waiter != null && remaining >= BlockingReads.MIN_TIMEOUT_NANOS && waiter.mayBlock()) {
                    // Sleep in read(2) itself: the write that wakes it hands over the bytes in the same call.
                    final int length = readLength(limit); // first: it may move the buffer
                    final long n = waiter.read(blockingFd, decoder.segment(), decoder.tail(), length, deadline);
                    if (n > 0) {
                        decoder.appended((int) n);
                        final int delivered = pollAny(handler, limit, false); // ChannelClosedException once closed
                        if (delivered > 0) {
                            streaming = true;
                            return delivered;
                        }
                        continue; // part of a frame: read on
                    }
                    // End of file, or EINTR (the deadline, an interrupt or a close): the poll below tells which.
                } else {
                    Waits.await(fd, PosixPipes.POLLIN, Math.min(remaining, Waits.SLICE_NANOS), spin);
                }
                final int delivered = pollAny(handler, limit, true); // ChannelClosedException once closed meanwhile
                if (delivered > 0) {
                    streaming = true;
                    return delivered;
                }
            }
        } finally {
            leaveWait();
        }
    }

    private void checkUsable(final int limit) {
        if (isClosed()) {
            throw closed();
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit=" + limit + " is below 1; poll delivers at least one message");
        }
    }

    /**
     * Makes room for at least the rest of the frame at the decoder's head, then reads once: as much as the pipe
     * holds, or without read-ahead no further than {@link #wanted(int)}.
     *
     * @param messages how many more messages the poll may deliver, at least 1.
     * @return bytes read, 0 at end of file, or a negative errno.
     */
    private long fill(final int messages) {
        final int length = readLength(messages); // first: it may move the buffer
        return PosixFiles.readNonBlocking(fd, decoder.segment(), decoder.tail(), length);
    }

    /**
     * Makes room for at least the rest of the frame at the decoder's head.
     *
     * @param messages how many more messages the poll may deliver, at least 1.
     * @return how many bytes the next read may take at {@link FrameDecoder#tail()}.
     */
    private int readLength(final int messages) {
        final int free = decoder.prepareRead();
        return readahead ? free : Math.min(free, wanted(messages));
    }

    /**
     * Without read-ahead, the bytes a read may take: the rest of the frame at the head (or a header, when nothing
     * is held), and the next frame's header while the poll may deliver a message after it, so that a stream of
     * queued frames costs one read each. Never a byte of a frame the poll will not deliver, except those 4 bytes
     * of a header when the poll then finds the rest of that frame not yet written and its caller stops.
     */
    private int wanted(final int messages) {
        final int held = decoder.partialBytes();
        if (held < FrameDescriptor.HEADER_LENGTH) {
            return FrameDescriptor.HEADER_LENGTH - held; // the length is not known yet
        }
        final int rest = decoder.bytesToFrameBoundary();
        return rest + (messages > 1 || decoder.controlAtHead() ? FrameDescriptor.HEADER_LENGTH : 0);
    }

    private boolean hungUp() {
        final int revents = PosixPipes.poll(fd, PosixPipes.POLLIN, 0);
        return revents > 0 && (revents & PosixPipes.POLLHUP) != 0;
    }

    /**
     * How the senders left, from the control frames ({@link FrameDescriptor}): a frame cut short is {@code CUT}; a
     * sender that said HELLO and never BYE, or a stream whose last frame is not a BYE, {@code DIED}; else every
     * sender closed.
     */
    private PeerGoneException peerGone() {
        final int notClosed = decoder.sendersNotClosed();
        final int pid = notClosed > 0 ? decoder.senderNotClosed(0) : decoder.lastClosedPid();
        final String sender = "the sender of " + name + " ('" + uri + "')" + (pid > 0 ? " (process " + pid + ")" : "");
        if (decoder.partialBytes() > 0) {
            return new PeerGoneException(PeerGoneException.Reason.CUT, notClosed == 1 ? pid : 0, sender
                + " stopped part-way through a frame: end of file came in the middle of one; every whole message was "
                + "delivered" + decoder.discardPartial());
        }
        if (notClosed > 0) {
            final StringBuilder others = new StringBuilder();
            for (int i = 1; i < notClosed; i++) {
                others.append(i == 1 ? "; process " : ", ").append(decoder.senderNotClosed(i));
            }
            if (notClosed > 1) {
                others.append(" did not close either");
            }
            return new PeerGoneException(PeerGoneException.Reason.DIED, pid, sender + " died: end of file came "
                + "without its end-of-stream frame, so its process ended (killed or crashed) before it closed its end; "
                + "every whole message it wrote was delivered" + others);
        }
        if (!decoder.endsWithBye()) {
            return new PeerGoneException(PeerGoneException.Reason.DIED, 0, "the sender of " + name + " ('" + uri
                + "') died: end of file came after a message without an end-of-stream frame, so the process that wrote "
                + "it ended (killed or crashed) before it closed its end, or it was no ipckit sender (its HELLO may "
                + "have gone to an earlier receiver); every whole message was delivered");
        }
        return new PeerGoneException(PeerGoneException.Reason.CLOSED, pid, sender + " closed its end, and every "
            + "message sent was delivered (end of file: no process has it open for writing any more)");
    }


    @Override
    public boolean isPeerAlive() {
        checkOpen();
        if (gone != null) {
            return false;
        }
        return !hungUp();
    }

    /**
     * Called from this receiver's handler, {@code close} stops the poll after that message; everything is released
     * when the poll returns. Called from another thread while this receiver waits in a timed poll, it ends that
     * wait (the poll throws {@link ChannelClosedException}): at once for a wait in read(2) ({@link #wakeWaiter()}),
     * within one {@link Waits#SLICE_NANOS} for one in poll(2).
     */
    @Override
    protected void closedFromCallback() {
        decoder.stop(); // a no-op unless called from this receiver's own handler
    }

    /**
     * Called by a close from another thread while this receiver's thread waits: a thread asleep in read(2) is sent
     * the signal that ends it ({@link BlockingReads}), and sees the close at once.
     */
    @Override
    protected void wakeWaiter() {
        if (waiter != null) {
            waiter.signal();
        }
    }

    /**
     * Leaves the stream at a frame boundary (see {@link #droppedAtClose()}), closes the descriptor and frees the
     * buffer.
     */
    @Override
    protected void release() {
        try {
            leaveAtFrameBoundary();
        } finally {
            try {
                PosixFiles.close(fd);
                if (waiter != null) {
                    waiter.retire();
                    PosixFiles.close(blockingFd);
                }
            } finally {
                decoder.close();
            }
        }
    }

    /**
     * Reads, exactly, the rest of a frame this end holds only part of, so that the FIFO is left at a frame
     * boundary for the next receiver while a writer still holds it; counts the messages read and not delivered.
     * Waits for the writer up to {@link FramedSender#BYE_LINGER_NANOS} without progress; a writer gone (end of
     * file) or stalled that long leaves the stream where it is.
     */
    private void leaveAtFrameBoundary() {
        if (decoder.corrupt() != null || gone != null) {
            return;
        }
        long stalledSince = System.nanoTime();
        int missing = decoder.bytesToFrameBoundary();
        while (missing > 0) {
            final int free = decoder.prepareRead();
            final long n = PosixFiles.readNonBlocking(fd, decoder.segment(), decoder.tail(), Math.min(free, missing));
            if (n > 0) {
                decoder.appended((int) n);
                missing = decoder.bytesToFrameBoundary();
                stalledSince = System.nanoTime();
                continue;
            }
            if (n == 0 || (n != -Errno.EAGAIN && n != -Errno.EINTR)) {
                break; // end of file: no writer is left to misalign; or a failure: nothing more can be done
            }
            final long remaining = FramedSender.BYE_LINGER_NANOS - (System.nanoTime() - stalledSince);
            if (remaining <= 0) {
                break;
            }
            Waits.await(fd, PosixPipes.POLLIN, Math.min(remaining, Waits.SLICE_NANOS), false);
        }
        droppedAtClose = decoder.messagesHeld();
    }

    /**
     * How many messages this receiver had read from the stream and not delivered when it closed: it reads in bulk
     * (one read brings what the pipe holds, up to its buffer), and at close it also reads the rest of a frame it
     * held only part of, so that the next receiver starts at a frame boundary.
     *
     * @return the messages dropped at close; 0 before close.
     */
    @Override
    public int droppedAtClose() {
        return droppedAtClose;
    }

    @Override
    public String toString() {
        return "receiver " + uri;
    }
}
