package dev.ipckit.fifo;

import dev.ipckit.ChannelUri;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.spi.ChannelProvider;

/**
 * The {@code fifo:} transport: a named FIFO carrying frames ({@link FrameDescriptor}).
 *
 * <pre>
 * fifo:/tmp/orders.fifo?nonblock=true&amp;timeout=5s&amp;capacity=1m&amp;maxMessage=64k&amp;producers=one&amp;wait=block
 * </pre>
 *
 * <ul>
 * <li>The FIFO is made with mkfifo when nothing is at the path, with mode 0600 exactly (whatever the umask;
 *     {@code mode=0660} widens it, nothing narrower than 0600 or wider than 0666 is taken); an existing FIFO of
 *     this user is used as it is, one of another user only with {@code allowOtherOwner=true}; anything else
 *     there (a regular file, a directory, a symbolic link, ...) is refused with an error naming the path and
 *     what is there, and no link is ever followed. The FIFO stays after the ends close; remove it when
 *     done.</li>
 * <li>{@code nonblock=true} gives the O_NDELAY open behaviours: a receiver's open returns at once even with
 *     no writer, and its {@code poll} returns 0 until a sender connects; a sender's open with no reader
 *     fails at once with a {@link dev.ipckit.posix.NativeException} for ENXIO, or, with {@code timeout=},
 *     keeps trying until a reader appears or the timeout passes.</li>
 * <li>Without {@code nonblock}, each open waits for its peer (a rendezvous), bounded by {@code timeout=} and
 *     ended by interrupting the opening thread.</li>
 * <li>{@code capacity=} sets the pipe buffer (F_SETPIPE_SZ); {@code maxMessage=} the longest payload
 *     (1 MiB by default; both ends must agree); {@code producers=many} lets several senders share the FIFO
 *     and caps messages at PIPE_BUF minus the frame header; {@code wait=block|spin} picks how timed calls
 *     wait. See {@link FifoConfiguration}.</li>
 * </ul>
 *
 * <p>A {@code producers=one} FIFO takes one live sender: a second is refused at open naming the holder's pid
 * (OFD locks on the FIFO's inode). Receivers are {@link StreamReceiver}s: one closed part-way leaves the FIFO at
 * a frame boundary and says how many messages it had read ahead and dropped.
 *
 * <p>Underneath, both descriptors are always non-blocking: a full FIFO makes {@code offer} return false, an
 * empty one makes {@code poll} return 0. When every sender has gone the receiver drains what was sent and
 * then throws {@link dev.ipckit.PeerGoneException}; when the receiver has gone a sender's write fails with
 * EPIPE (the JVM ignores SIGPIPE), which is a PeerGoneException too.
 */
public final class FifoChannelProvider implements ChannelProvider {
    /** The URI scheme, {@value}. */
    public static final String SCHEME = "fifo";

    /**
     * Used by {@link java.util.ServiceLoader}.
     */
    public FifoChannelProvider() {
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public Sender openSender(final ChannelUri uri) {
        return FifoOpener.openSender(uri);
    }

    @Override
    public Receiver openReceiver(final ChannelUri uri) {
        return FifoOpener.openReceiver(uri);
    }
}
