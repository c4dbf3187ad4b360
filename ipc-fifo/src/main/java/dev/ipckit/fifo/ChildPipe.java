package dev.ipckit.fifo;

import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.posix.PosixFiles;
import dev.ipckit.posix.PosixPipes;

/**
 * An anonymous pipe with one end for this process and one for a child started by {@link ChildProcess}.
 *
 * <pre>{@code
 * try (ChildPipe toChild = ChildPipe.toChild();          // the child reads it as pipe:fd=3
 *      ChildPipe fromChild = ChildPipe.fromChild();      // the child writes it as pipe:fd=4
 *      ChildProcess child = ChildProcess.startJava(Worker.class, List.of(), toChild, fromChild)) {
 *     toChild.sender().offer(request, 0, length, Duration.ofSeconds(5));
 *     fromChild.receiver().poll(handler, 1, Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>The pipe is made with {@code pipe2(O_CLOEXEC)}. This process's end is made non-blocking and wrapped as
 * a {@link Sender} ({@link #toChild}) or a {@link Receiver} ({@link #fromChild}); the child's end stays
 * blocking, as any program expects, until a Java child opens it with {@code pipe:fd=N}. Once
 * {@link ChildProcess#start} has placed the child's end in the child, this process closes its own copy, so
 * that the child's death is seen here: end of file for a receiver, EPIPE for a sender, both a
 * {@link dev.ipckit.PeerGoneException}.
 */
public final class ChildPipe implements AutoCloseable {
    /**
     * Which way the bytes flow.
     */
    public enum Direction {
        /** This process sends, the child receives. */
        TO_CHILD,
        /** The child sends, this process receives. */
        FROM_CHILD
    }

    private final Direction direction;
    private final Sender sender;
    private final Receiver receiver;
    private int childEnd;
    private int handedTo;

    private ChildPipe(final Direction direction, final String options) {
        final StreamOptions parsed = Pipes.parse(options);
        final int[] fds = PosixPipes.pipe2(PosixFiles.O_CLOEXEC);
        final int mine = direction == Direction.TO_CHILD ? fds[1] : fds[0];
        this.childEnd = direction == Direction.TO_CHILD ? fds[0] : fds[1];
        this.direction = direction;
        try {
            if (parsed.capacity() > 0) {
                PosixPipes.setPipeSize(mine, parsed.capacity());
            }
            PosixFiles.setNonBlocking(mine, true);
            final String uri = Pipes.uri(mine, options);
            this.sender = direction == Direction.TO_CHILD
                ? new FramedSender(uri, PipeChannelProvider.name(mine), mine, parsed) : null;
            this.receiver = direction == Direction.FROM_CHILD
                ? new FramedReceiver(uri, PipeChannelProvider.name(mine), mine, parsed, true) : null;
        } catch (final RuntimeException e) {
            PosixFiles.close(fds[0]);
            PosixFiles.close(fds[1]);
            throw e;
        }
    }

    /**
     * A pipe this process writes and the child reads (as {@code Channels.openReceiver("pipe:fd=N")}).
     *
     * @return the pipe, with the default options.
     */
    public static ChildPipe toChild() {
        return new ChildPipe(Direction.TO_CHILD, "");
    }

    /**
     * A pipe this process writes and the child reads.
     *
     * @param options URI options for this process's end, e.g. {@code "maxMessage=64k"}; the child's URI
     *     must give the same maxMessage.
     * @return the pipe.
     */
    public static ChildPipe toChild(final String options) {
        return new ChildPipe(Direction.TO_CHILD, options);
    }

    /**
     * A pipe the child writes (as {@code Channels.openSender("pipe:fd=N")}) and this process reads.
     *
     * @return the pipe, with the default options.
     */
    public static ChildPipe fromChild() {
        return new ChildPipe(Direction.FROM_CHILD, "");
    }

    /**
     * A pipe the child writes and this process reads.
     *
     * @param options URI options for this process's end; the child's URI must give the same maxMessage.
     * @return the pipe.
     */
    public static ChildPipe fromChild(final String options) {
        return new ChildPipe(Direction.FROM_CHILD, options);
    }

    /**
     * @return which way the bytes flow.
     */
    public Direction direction() {
        return direction;
    }

    /**
     * @return this process's end of a {@link #toChild()} pipe.
     * @throws IllegalStateException for a {@link #fromChild()} pipe.
     */
    public Sender sender() {
        if (sender == null) {
            throw new IllegalStateException("a fromChild() pipe has no sender in this process; use receiver()");
        }
        return sender;
    }

    /**
     * @return this process's end of a {@link #fromChild()} pipe.
     * @throws IllegalStateException for a {@link #toChild()} pipe.
     */
    public Receiver receiver() {
        if (receiver == null) {
            throw new IllegalStateException("a toChild() pipe has no receiver in this process; use sender()");
        }
        return receiver;
    }

    /**
     * @return the pid of the child that got the other end, or 0 while this process still holds it.
     */
    public int handedTo() {
        return handedTo;
    }

    /**
     * @return this process's copy of the child's end, to be placed in a child.
     * @throws IllegalStateException when it was handed to a child already.
     */
    int childEnd() {
        if (childEnd < 0) {
            throw new IllegalStateException("the child's end of this pipe was handed to process " + handedTo
                + " already; make a new ChildPipe for another child");
        }
        return childEnd;
    }

    /**
     * Closes this process's copy of the child's end, once the child holds its own.
     *
     * @param pid the child.
     */
    void handedOver(final int pid) {
        if (childEnd >= 0) {
            PosixFiles.close(childEnd);
            childEnd = -1;
            handedTo = pid;
        }
    }

    /**
     * Closes this process's end, and the child's end too if no child got it.
     */
    @Override
    public void close() {
        try {
            if (sender != null) {
                sender.close();
            } else {
                receiver.close();
            }
        } finally {
            if (childEnd >= 0) {
                PosixFiles.close(childEnd);
                childEnd = -1;
            }
        }
    }
}
