package dev.ipckit.fifo;

import java.time.Duration;

/**
 * The URI options of {@code fifo:} and {@code pipe:} channels and their defaults.
 *
 * <table>
 * <caption>Options</caption>
 * <tr><th>option</th><th>schemes</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code nonblock=true|false}</td><td>fifo</td><td>false</td><td>the O_NDELAY open behaviours: a receiver's
 *     open returns at once; a sender's open with no reader fails at once with ENXIO (or retries up to
 *     {@code timeout=})</td></tr>
 * <tr><td>{@code timeout=DURATION}</td><td>fifo</td><td>none</td><td>how long an open waits for its peer; without it a
 *     blocking open waits until the peer comes or the thread is interrupted</td></tr>
 * <tr><td>{@code capacity=SIZE}</td><td>fifo, pipe</td><td>the kernel's (64k)</td><td>the pipe buffer, set with
 *     F_SETPIPE_SZ (rounded up to a power-of-two number of pages)</td></tr>
 * <tr><td>{@code maxMessage=SIZE}</td><td>fifo, pipe</td><td>{@value #DEFAULT_MAX_MESSAGE_LENGTH} bytes</td><td>the
 *     longest payload; both ends must agree</td></tr>
 * <tr><td>{@code producers=one|many}</td><td>fifo, pipe</td><td>one</td><td>{@code many} lets several senders share
 *     the channel and caps maxMessage at {@link FrameDescriptor#MAX_ATOMIC_PAYLOAD_LENGTH}</td></tr>
 * <tr><td>{@code wait=block|spin}</td><td>fifo, pipe</td><td>block</td><td>how a timed poll or offer waits: in
 *     poll(2), or busy retrying</td></tr>
 * <tr><td>{@code mode=OCTAL}</td><td>fifo</td><td>{@code 0600}</td><td>the permission bits of a FIFO this end
 *     creates, set exactly whatever the umask; read and write bits only, the owner's included (e.g. {@code 0660}
 *     to let the group in). An existing FIFO keeps its own mode</td></tr>
 * <tr><td>{@code allowOtherOwner=true|false}</td><td>fifo</td><td>false</td><td>use an existing FIFO that belongs to
 *     another user; without it such a FIFO is refused, since its owner controls who else may read and write
 *     it</td></tr>
 * <tr><td>{@code stall=DURATION}</td><td>fifo, pipe</td><td>{@code 30s}</td><td>how long a sender that has begun a
 *     frame larger than PIPE_BUF waits for the receiver to take any byte before declaring the channel
 *     broken</td></tr>
 * <tr><td>{@code readahead=true|false}</td><td>fifo, pipe</td><td>true</td><td>how a receiver reads: {@code true}
 *     takes as much as the pipe holds in one {@code read(2)} (the fewest system calls); {@code false} reads no
 *     further than the frames a poll may still deliver (a frame's header, then its payload together with the next
 *     header while the poll may deliver another), so that a receiver asked for N messages leaves every later frame
 *     in the FIFO for the next receiver, at the cost of about one {@code read(2)} per message.
 *     {@code ipckit recv --count N} sets it on a {@code fifo:} or {@code pipe:} URI that does not say</td></tr>
 * </table>
 */
public final class FifoConfiguration {
    /** Option name: the O_NDELAY open behaviours. */
    public static final String NONBLOCK = "nonblock";
    /** Option name: how long an open waits for the peer. */
    public static final String TIMEOUT = "timeout";
    /** Option name: the pipe buffer size. */
    public static final String CAPACITY = "capacity";
    /** Option name: the longest payload. */
    public static final String MAX_MESSAGE = "maxMessage";
    /** Option name: one sender or many. */
    public static final String PRODUCERS = "producers";
    /** Option name: how timed calls wait. */
    public static final String WAIT = "wait";
    /** Option name: how long a half-written large frame may wait for the receiver. */
    public static final String STALL = "stall";
    /** Option name: the permission bits of a FIFO this end creates. */
    public static final String MODE = "mode";
    /** Option name: accept an existing FIFO that belongs to another user. */
    public static final String ALLOW_OTHER_OWNER = "allowOtherOwner";
    /** Option name: whether a receiver reads ahead in bulk or only the frames a poll may deliver. */
    public static final String READAHEAD = "readahead";

    /** The longest payload when {@code maxMessage=} is not given (producers=one): 1 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 1 << 20;
    /** The largest {@code maxMessage=} accepted: 1 GiB. */
    public static final int MAX_MESSAGE_LENGTH_LIMIT = 1 << 30;
    /** The default of {@code stall=}. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
    /** Permission bits of a FIFO the channel creates when {@code mode=} is not given. */
    public static final int FIFO_MODE = 0600;

    /** Shortest pause between two attempts of an open that waits for its peer. */
    static final long OPEN_RETRY_MIN_NANOS = 50_000;
    /** Longest pause between two attempts of an open that waits for its peer. */
    static final long OPEN_RETRY_MAX_NANOS = 10_000_000;

    private FifoConfiguration() {
    }
}
