package dev.ipckit.mmap;

import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.agrona.BitUtil;

import dev.ipckit.ChannelException;
import dev.ipckit.ChannelUri;
import dev.ipckit.spi.WakeupProvider;

/**
 * The options of an {@code mmap:} URI, each with a documented default, validated once before anything is
 * opened or mapped (in the manner of Aeron's {@code MediaDriver.Context.conclude()}).
 *
 * <pre>
 * mmap:PATH?capacity=1m&amp;producers=one&amp;wait=backoff&amp;maxMessage=128k&amp;format=ipckit&amp;subscribers=1
 *          &amp;slow=block&amp;timeout=10s&amp;unlinkOnClose=false&amp;create=true&amp;mode=0600&amp;allowOtherOwner=false
 * </pre>
 *
 * A PATH without a slash is a name in {@value #DEFAULT_DIRECTORY}. {@code capacity}, {@code producers},
 * {@code wait}, {@code maxMessage} and {@code format} describe the ring: the end that creates the file uses them (or
 * the defaults), and so does {@code subscribers}; an end that opens an existing file adopts the file's values for the options it does not give, and
 * fails with {@code app=… file=…} when one it gives differs. When {@code wait} names a {@link WakeupProvider}
 * (such as {@code signal}), the options that provider reports are accepted too.
 */
public final class MmapOptions {
    /** Where a bare ring name lives. */
    public static final String DEFAULT_DIRECTORY = "/dev/shm";
    /** Option: ring capacity in bytes, a power of two. */
    public static final String CAPACITY = "capacity";
    /** Option: {@code one} (OneToOneRingBuffer) or {@code many} (ManyToOneRingBuffer) senders. */
    public static final String PRODUCERS = "producers";
    /**
     * Option: the ring's record format, {@code ipckit} (the default, {@link RingFormat#IPCKIT}) or {@code agrona}
     * ({@link RingFormat#AGRONA}: Agrona's {@code OneToOneRingBuffer}/{@code ManyToOneRingBuffer} records).
     */
    public static final String FORMAT = "format";
    /** Default {@link #FORMAT}. */
    public static final RingFormat DEFAULT_FORMAT = RingFormat.IPCKIT;
    /**
     * Option: how many receivers the ring takes at once, 1..{@value StampedRingDescriptor#MAX_SUBSCRIBERS} (default
     * 1, the one-to-one ring). With N &gt; 1 every receiver that opens the ring takes a free subscriber slot and gets
     * every message committed after it joined; format=ipckit only.
     */
    public static final String SUBSCRIBERS = "subscribers";
    /**
     * Option of a receiver of a ring with subscribers &gt; 1: {@code block} (the default: the sender waits for it,
     * nothing is lost) or {@code drop} (the sender never waits for it; when it is lapped it counts what it lost and
     * resumes at the tail). Recorded in its slot, not in the file's header.
     */
    public static final String SLOW = "slow";
    /** Option: how an idle receiver and a blocked sender wait. */
    public static final String WAIT = "wait";
    /** Option: the longest message, at most capacity / 8. */
    public static final String MAX_MESSAGE = "maxMessage";
    /** Option: how long opening may wait (for the file to appear, for the open lock). */
    public static final String TIMEOUT = "timeout";
    /** Option: the last end to close removes the file. */
    public static final String UNLINK_ON_CLOSE = "unlinkOnClose";
    /** Option: create the file when absent (true), or wait up to {@code timeout} for another process to. */
    public static final String CREATE = "create";
    /**
     * Option: the permission bits of a ring file this end creates (exactly, whatever the umask), and the most an
     * existing file may grant: one that grants more is refused. Read and write bits only, the owner's included.
     */
    public static final String MODE = "mode";
    /**
     * Option: accept an existing ring file that belongs to another user. Its owner can truncate it under the
     * mapping; the ends then fail with a {@link ChannelException} rather than crash, but only a ring of one's
     * own is safe from that, so this is refused unless asked for.
     */
    public static final String ALLOW_OTHER_OWNER = "allowOtherOwner";
    /**
     * Option: with {@code wait=futex} or a wake-up provider, how many empty polls an idle receiver spins before it
     * yields (default {@value #DEFAULT_SPINS}). {@code spins=0&yields=0} sleeps in the kernel at once, so every
     * message that finds the receiver idle costs one wake-up; this end's choice, not stored in the file.
     */
    public static final String SPINS = "spins";
    /** Option: with {@code wait=futex} or a wake-up provider, how many empty polls yield before the receiver sleeps. */
    public static final String YIELDS = "yields";
    /** Every option this transport reads itself. */
    public static final Set<String> OPTIONS = Set.of(CAPACITY, PRODUCERS, WAIT, MAX_MESSAGE, TIMEOUT, UNLINK_ON_CLOSE,
        CREATE, MODE, ALLOW_OTHER_OWNER, SPINS, YIELDS, FORMAT, SUBSCRIBERS, SLOW);
    /** Default {@link #SPINS}. */
    public static final int DEFAULT_SPINS = 50;
    /** Default {@link #YIELDS}. */
    public static final int DEFAULT_YIELDS = 10;

    /** Default capacity: 1 MiB. */
    public static final int DEFAULT_CAPACITY = 1 << 20;
    /** Default wait mode. */
    public static final String DEFAULT_WAIT = "backoff";
    /** Default open timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Default mode: private to the owner. */
    public static final int DEFAULT_MODE = 0600;

    private final ChannelUri uri;
    private final String path;
    private final int capacity;
    private final boolean capacityGiven;
    private final boolean manyProducers;
    private final boolean producersGiven;
    private final RingFormat format;
    private final boolean formatGiven;
    private final int subscribers;
    private final boolean subscribersGiven;
    private final boolean dropWhenSlow;
    private final String waitName;
    private final WaitMode waitMode;
    private final boolean waitGiven;
    private final WakeupProvider provider;
    private final int maxMessage;
    private final boolean maxMessageGiven;
    private final Duration timeout;
    private final boolean unlinkOnClose;
    private final boolean create;
    private final int mode;
    private final boolean allowOtherOwner;
    private final int spins;
    private final int yields;

    private MmapOptions(final ChannelUri uri) {
        this.uri = uri;
        this.path = resolvePath(uri);

        final String wait = uri.string(WAIT, DEFAULT_WAIT).toLowerCase(Locale.ROOT);
        waitGiven = uri.has(WAIT);
        final WaitMode builtIn = WaitMode.builtIn(wait);
        if (builtIn != null) {
            waitMode = builtIn;
            provider = null;
        } else {
            provider = WakeupProvider.find(wait).orElseThrow(() -> unknownWait(uri, wait));
            waitMode = WaitMode.PROVIDER;
        }
        waitName = wait;
        final Set<String> known = new HashSet<>(OPTIONS);
        if (provider != null) {
            known.addAll(provider.options());
        }
        uri.requireOnly(known);

        capacityGiven = uri.has(CAPACITY);
        final long size = uri.size(CAPACITY, DEFAULT_CAPACITY);
        if (size < RingFileDescriptor.MIN_CAPACITY || size > RingFileDescriptor.MAX_CAPACITY
            || !BitUtil.isPowerOfTwo(size)) {
            throw uri.bad(CAPACITY, uri.string(CAPACITY, ""), "is not a power of two from 1k to 1g (e.g. 64k, 1m)");
        }
        capacity = (int) size;

        formatGiven = uri.has(FORMAT);
        format = RingFormat.named(uri.choice(FORMAT, DEFAULT_FORMAT.formatName(), Set.of("ipckit", "agrona")));

        subscribersGiven = uri.has(SUBSCRIBERS);
        final long n = uri.number(SUBSCRIBERS, 1);
        if (n < 1 || n > StampedRingDescriptor.MAX_SUBSCRIBERS) {
            throw uri.bad(SUBSCRIBERS, uri.string(SUBSCRIBERS, ""), "is outside 1.."
                + StampedRingDescriptor.MAX_SUBSCRIBERS + ", the subscriber slots a ring can have");
        }
        subscribers = (int) n;
        if (subscribers > 1 && format == RingFormat.AGRONA) {
            throw uri.bad(SUBSCRIBERS, uri.string(SUBSCRIBERS, ""), "needs format=ipckit: Agrona's ring has one "
                + "consumer position, so a format=agrona ring takes one receiver; drop format=agrona or subscribers");
        }
        dropWhenSlow = "drop".equals(uri.choice(SLOW, "block", Set.of("block", "drop")));

        producersGiven = uri.has(PRODUCERS);
        manyProducers = "many".equals(uri.choice(PRODUCERS, "one", Set.of("one", "many")));

        maxMessageGiven = uri.has(MAX_MESSAGE);
        final long max = uri.size(MAX_MESSAGE, RingFileDescriptor.maxMessageLimit(capacity));
        if (max > RingFileDescriptor.maxMessageLimit(capacity)) {
            throw uri.bad(MAX_MESSAGE, uri.string(MAX_MESSAGE, ""), "is larger than capacity/8 = "
                + RingFileDescriptor.maxMessageLimit(capacity) + ", the most a ring of capacity=" + capacity
                + " carries; raise capacity or lower maxMessage");
        }
        maxMessage = (int) max;

        timeout = uri.duration(TIMEOUT, DEFAULT_TIMEOUT);
        unlinkOnClose = uri.bool(UNLINK_ON_CLOSE, false);
        create = uri.bool(CREATE, true);
        mode = uri.mode(MODE, DEFAULT_MODE);
        allowOtherOwner = uri.bool(ALLOW_OTHER_OWNER, false);
        spins = count(uri, SPINS, DEFAULT_SPINS);
        yields = count(uri, YIELDS, DEFAULT_YIELDS);
    }

    private static int count(final ChannelUri uri, final String name, final int defaultValue) {
        final long value = uri.number(name, defaultValue);
        if (value < 0 || value > 1_000_000) {
            throw uri.bad(name, uri.string(name, ""), "is outside 0..1000000");
        }
        return (int) value;
    }

    /**
     * Parses and validates a URI's options. Nothing is opened.
     *
     * @param uri an {@code mmap:} URI.
     * @return the options.
     * @throws IllegalArgumentException naming the option, its value and the URI when one is bad or unknown.
     */
    public static MmapOptions parse(final ChannelUri uri) {
        if (!"mmap".equals(uri.scheme())) {
            throw new IllegalArgumentException("'" + uri.uri() + "' is not an mmap: URI");
        }
        return new MmapOptions(uri);
    }

    /**
     * @param uri such as {@code mmap:orders?capacity=64k}.
     * @return the options.
     */
    public static MmapOptions parse(final String uri) {
        return parse(ChannelUri.parse(uri));
    }

    /**
     * Resolves a ring name or path the way URIs do.
     *
     * @param nameOrPath a bare name (a file in {@value #DEFAULT_DIRECTORY}) or a path containing a slash.
     * @return the path.
     */
    public static String resolve(final String nameOrPath) {
        if (nameOrPath.isEmpty() || nameOrPath.endsWith("/") || nameOrPath.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("'" + nameOrPath + "' is not a ring name or file path; use a name "
                + "such as orders (a file in " + DEFAULT_DIRECTORY + ") or a path such as /tmp/orders");
        }
        if (nameOrPath.indexOf('/') >= 0) {
            return nameOrPath;
        }
        if (nameOrPath.equals(".") || nameOrPath.equals("..")) {
            throw new IllegalArgumentException("'" + nameOrPath + "' is not a ring name");
        }
        return DEFAULT_DIRECTORY + "/" + nameOrPath;
    }

    private static String resolvePath(final ChannelUri uri) {
        try {
            return resolve(uri.path());
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + uri.uri() + "' names no ring file: " + e.getMessage(), e);
        }
    }

    private static IllegalArgumentException unknownWait(final ChannelUri uri, final String wait) {
        if ("signal".equals(wait)) {
            return uri.bad(WAIT, wait, "needs the ipckit-signal module: put ipckit-signal on the class path (no "
                + WakeupProvider.class.getName() + " named 'signal' was found)");
        }
        return uri.bad(WAIT, wait, "is not one of backoff|futex|sleep|spin|yield, nor a wake-up provider on the "
            + "class path (signal comes with ipckit-signal)");
    }

    /**
     * Finds the wake-up provider a ring file names, for an end that did not give {@code wait=}.
     *
     * @param name the file's wait mode name.
     * @param path the file, for the message.
     * @return the provider.
     * @throws ChannelException when it is not on the class path.
     */
    static WakeupProvider providerNamed(final String name, final String path) {
        return WakeupProvider.find(name).orElseThrow(() -> new ChannelException(path + " was created with wait=" + name
            + ", whose wake-up provider is not on the class path" + ("signal".equals(name)
                ? ": put ipckit-signal on the class path" : "") + " (or reopen it with the same module present)"));
    }

    /**
     * Checks the options this URI gives against an existing file.
     *
     * @param file the file's header as {@link RingFileDescriptor#checkHeader} validated it.
     * @param filePath the file, for messages.
     * @throws ChannelException naming the option with app=… file=… on a mismatch.
     */
    void checkAgainst(final RingFileDescriptor.Layout file, final String filePath) {
        if (formatGiven && file.format() != format) {
            throw new ChannelException(FORMAT + "=" + format.formatName() + " in '" + uri.uri() + "' names another "
                + "record format than the existing ring " + filePath + ": format app=" + format.formatName() + " file="
                + file.format().formatName() + ". An end reads one format only; omit format to use the file's ("
                + file.format().formatName() + "), or remove the file when no process uses it to make it "
                + format.formatName());
        }
        if (subscribersGiven && file.subscribers() != subscribers) {
            throw new ChannelException(SUBSCRIBERS + "=" + subscribers + " in '" + uri.uri() + "' does not match the "
                + "existing ring " + filePath + ", which has " + file.subscribers() + " subscriber slot"
                + (file.subscribers() == 1 ? "" : "s") + ": subscribers app=" + subscribers + " file="
                + file.subscribers() + ". The slots are fixed when the file is made; omit subscribers to use the "
                + "file's, or remove the file when no process uses it to make it with " + subscribers);
        }
        if (dropWhenSlow && file.subscribers() == 1) {
            throw new ChannelException(SLOW + "=drop in '" + uri.uri() + "' needs a ring with subscribers > 1, but "
                + filePath + " is a one-to-one ring (subscribers=1), whose one receiver always holds its sender back; "
                + "omit slow, or make the ring with subscribers=N");
        }
        if (capacityGiven && file.capacity() != capacity) {
            throw mismatch(filePath, CAPACITY, capacity, file.capacity());
        }
        if (producersGiven && file.manyProducers() != manyProducers) {
            throw mismatch(filePath, PRODUCERS, manyProducers ? "many" : "one", file.manyProducers() ? "many" : "one");
        }
        if (maxMessageGiven && file.maxMessage() != maxMessage) {
            throw mismatch(filePath, MAX_MESSAGE, maxMessage, file.maxMessage());
        }
        if (waitGiven && !file.waitName().equals(waitName)) {
            throw mismatch(filePath, WAIT, waitName, file.waitName());
        }
    }

    private ChannelException mismatch(final String filePath, final String option, final Object app, final Object file) {
        return new ChannelException(option + "=" + uri.string(option, "") + " in '" + uri.uri()
            + "' does not match the existing ring " + filePath + ": " + option + " app=" + app + " file=" + file
            + "; omit " + option + " to use the file's, or remove the file when no process uses it");
    }

    /**
     * @return the flags word a new file gets.
     */
    int flags() {
        return (manyProducers ? RingFileDescriptor.FLAG_MANY_PRODUCERS : 0)
            | waitMode.code() << RingFileDescriptor.WAIT_CODE_SHIFT;
    }

    /**
     * @return the parsed URI.
     */
    public ChannelUri uri() {
        return uri;
    }

    /**
     * @return the ring file's path.
     */
    public String path() {
        return path;
    }

    /**
     * @return the subscriber slots a new file gets.
     */
    public int subscribers() {
        return subscribers;
    }

    /**
     * @return whether this receiver is a {@code slow=drop} subscriber.
     */
    public boolean dropWhenSlow() {
        return dropWhenSlow;
    }

    /**
     * @return the capacity a new file gets.
     */
    public int capacity() {
        return capacity;
    }

    /**
     * @return the record format a new file gets.
     */
    public RingFormat format() {
        return format;
    }

    /**
     * @return whether a new file is a ManyToOneRingBuffer.
     */
    public boolean manyProducers() {
        return manyProducers;
    }

    /**
     * @return the wait name a new file gets, e.g. {@code futex} or {@code signal}.
     */
    public String waitName() {
        return waitName;
    }

    /**
     * @return the wait mode a new file gets.
     */
    public WaitMode waitMode() {
        return waitMode;
    }

    /**
     * @return the wake-up provider {@code wait=} names, or null for a built-in mode.
     */
    public WakeupProvider provider() {
        return provider;
    }

    /**
     * @return the longest message a new file carries.
     */
    public int maxMessage() {
        return maxMessage;
    }

    /**
     * @return how long opening may wait.
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * @return how many empty polls an idle futex or provider receiver spins before it yields.
     */
    public int spins() {
        return spins;
    }

    /**
     * @return how many empty polls an idle futex or provider receiver yields before it sleeps.
     */
    public int yields() {
        return yields;
    }

    /**
     * @return whether the last end to close removes the file.
     */
    public boolean unlinkOnClose() {
        return unlinkOnClose;
    }

    /**
     * @return whether an absent file is created.
     */
    public boolean create() {
        return create;
    }

    /**
     * @return the permission bits a new file gets, and the most an existing one may grant.
     */
    public int mode() {
        return mode;
    }

    /**
     * @return whether an existing file of another user is accepted.
     */
    public boolean allowOtherOwner() {
        return allowOtherOwner;
    }

    @Override
    public String toString() {
        return uri.uri() + " -> " + path + " (options " + new TreeSet<>(uri.options().keySet()) + ")";
    }
}
