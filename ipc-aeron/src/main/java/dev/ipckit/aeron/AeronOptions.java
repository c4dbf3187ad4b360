package dev.ipckit.aeron;

import java.time.Duration;
import java.util.Set;

import io.aeron.ChannelUriStringBuilder;
import io.aeron.CommonContext;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.LogBufferDescriptor;

import dev.ipckit.ChannelUri;

/**
 * The options of an {@code aeron:udp} URI, each with a documented default, validated once before a media driver is
 * started or a socket bound (in the manner of Aeron's {@code MediaDriver.Context.conclude()}).
 *
 * <pre>
 * aeron:udp?endpoint=HOST:PORT&amp;interface=ADDR&amp;termLength=1m&amp;mtu=1408&amp;stream=1001
 *          &amp;driver=embedded|external&amp;aeron.dir=DIR&amp;peerTimeout=5s&amp;timeout=30s&amp;linger=5s
 * </pre>
 *
 * <table>
 * <caption>Options</caption>
 * <tr><th>option</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code endpoint=HOST:PORT}</td><td>required</td><td>the receiver's address: the receiver binds it, the
 *     sender sends to it. An IPv6 address goes in brackets, {@code [::1]:40123}</td></tr>
 * <tr><td>{@code interface=ADDR[:PORT]}</td><td>any</td><td>the local address the end's socket uses, e.g. the
 *     address of one network card ({@code 192.168.1.2} or {@code 192.168.1.0/24})</td></tr>
 * <tr><td>{@code termLength=SIZE}</td><td>{@value #DEFAULT_TERM_LENGTH} bytes</td><td>the length of one of the
 *     publication's three term buffers, a power of two from 64k to 1g; the longest message is an eighth of it.
 *     Both ends must give the same</td></tr>
 * <tr><td>{@code mtu=SIZE}</td><td>{@value #DEFAULT_MTU}</td><td>the largest datagram, a multiple of 32 up to
 *     {@value #MAX_MTU}; longer messages are split into fragments and put together again</td></tr>
 * <tr><td>{@code stream=N}</td><td>{@value #DEFAULT_STREAM}</td><td>the Aeron stream id; both ends must give the
 *     same</td></tr>
 * <tr><td>{@code driver=embedded|external}</td><td>embedded</td><td>{@code embedded}: this end starts a media driver
 *     of its own, in a private (0700) directory that is removed on close; {@code external}: use the running media
 *     driver in {@code aeron.dir}</td></tr>
 * <tr><td>{@code aeron.dir=DIR}</td><td>Aeron's ({@code aeron.dir} property, else {@code /dev/shm/aeron-USER})</td>
 *     <td>the external driver's directory; only with {@code driver=external}</td></tr>
 * <tr><td>{@code peerTimeout=DURATION}</td><td>{@code 5s}</td><td>how long the peer may stay silent before it counts
 *     as gone: the embedded driver's image liveness and publication connection timeouts, 1s..1h. An external
 *     driver's own settings ({@code aeron.image.liveness.timeout}, {@code aeron.publication.connection.timeout})
 *     apply there instead, and this option is refused</td></tr>
 * <tr><td>{@code timeout=DURATION}</td><td>{@code 30s}</td><td>how long a sender's open waits for a receiver to
 *     answer at the endpoint</td></tr>
 * <tr><td>{@code linger=DURATION}</td><td>{@code 5s}</td><td>how long a sender's close waits, at most, for the
 *     receiver to take every message sent</td></tr>
 * </table>
 *
 * @param endpoint HOST:PORT as given.
 * @param networkInterface the local interface, or null.
 * @param termLength the term buffer length.
 * @param mtu the datagram length.
 * @param stream the stream id.
 * @param external whether to use a running media driver.
 * @param aeronDir that driver's directory (null for embedded).
 * @param peerTimeout the embedded driver's liveness timeouts.
 * @param openTimeout how long a sender's open waits for a receiver.
 * @param linger how long a sender's close waits for the receiver.
 */
public record AeronOptions(String endpoint, String networkInterface, int termLength, int mtu, int stream,
                           boolean external, String aeronDir, Duration peerTimeout, Duration openTimeout,
                           Duration linger) {
    /** The only media of this transport: {@code aeron:udp}. */
    public static final String MEDIA = "udp";
    /** Option: the receiver's HOST:PORT. */
    public static final String ENDPOINT = "endpoint";
    /** Option: the local interface. */
    public static final String INTERFACE = "interface";
    /** Option: the term buffer length. */
    public static final String TERM_LENGTH = "termLength";
    /** Option: the datagram length. */
    public static final String MTU = "mtu";
    /** Option: the Aeron stream id. */
    public static final String STREAM = "stream";
    /** Option: {@code embedded} or {@code external} media driver. */
    public static final String DRIVER = "driver";
    /** Option: the external media driver's directory, Aeron's own name for it. */
    public static final String AERON_DIR = "aeron.dir";
    /** Option: how long a silent peer counts as alive. */
    public static final String PEER_TIMEOUT = "peerTimeout";
    /** Option: how long a sender's open waits for a receiver (the name fifo: and mmap: use for open waits). */
    public static final String TIMEOUT = "timeout";
    /** Option: how long a sender's close waits for the receiver to take everything. */
    public static final String LINGER = "linger";
    /** Every option this transport reads. */
    public static final Set<String> OPTIONS = Set.of(ENDPOINT, INTERFACE, TERM_LENGTH, MTU, STREAM, DRIVER, AERON_DIR,
        PEER_TIMEOUT, TIMEOUT, LINGER);

    /** Default term length: 1 MiB, so the longest message is 128 KiB and a pair of ends maps 6 MiB. */
    public static final int DEFAULT_TERM_LENGTH = 1 << 20;
    /** Default MTU, Aeron's: one Ethernet frame less the IP and UDP headers, rounded down to 32. */
    public static final int DEFAULT_MTU = 1408;
    /** Largest MTU Aeron takes (a UDP datagram's payload, rounded down to 32). */
    public static final int MAX_MTU = 65504;
    /** Smallest MTU accepted: the data header and one frame alignment. */
    public static final int MIN_MTU = 64;
    /** Default stream id. */
    public static final int DEFAULT_STREAM = 1001;
    /** Default {@link #PEER_TIMEOUT}. */
    public static final Duration DEFAULT_PEER_TIMEOUT = Duration.ofSeconds(5);
    /** Shortest {@link #PEER_TIMEOUT}: Aeron's heartbeats and status messages come every 100 and 200 ms. */
    public static final Duration MIN_PEER_TIMEOUT = Duration.ofSeconds(1);
    /** Longest {@link #PEER_TIMEOUT}. */
    public static final Duration MAX_PEER_TIMEOUT = Duration.ofHours(1);
    /** Default {@link #TIMEOUT}. */
    public static final Duration DEFAULT_OPEN_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #LINGER}, Aeron's publication linger. */
    public static final Duration DEFAULT_LINGER = Duration.ofSeconds(5);

    /**
     * Reads and checks every option of a URI.
     *
     * @param uri the parsed URI, scheme {@code aeron}.
     * @return the options.
     * @throws IllegalArgumentException naming the option, its value and the URI, for anything unknown or out of range.
     */
    public static AeronOptions parse(final ChannelUri uri) {
        if (!MEDIA.equals(uri.path())) {
            throw new IllegalArgumentException("'" + uri + "' names media '" + uri.path() + "'; ipckit's aeron "
                + "channels run over UDP only: aeron:udp?endpoint=HOST:PORT (for one host, mmap: is the faster path)");
        }
        uri.requireOnly(OPTIONS);
        final String endpoint = uri.string(ENDPOINT, null);
        if (endpoint == null) {
            throw new IllegalArgumentException("'" + uri + "' has no endpoint; give the receiver's address, e.g. "
                + "aeron:udp?endpoint=127.0.0.1:40123");
        }
        checkHostAndPort(uri, ENDPOINT, endpoint, true);
        final String networkInterface = uri.string(INTERFACE, null);
        if (networkInterface != null) {
            checkInterface(uri, networkInterface);
        }
        final long termLength = uri.size(TERM_LENGTH, DEFAULT_TERM_LENGTH);
        if (termLength < LogBufferDescriptor.TERM_MIN_LENGTH || termLength > LogBufferDescriptor.TERM_MAX_LENGTH
            || Long.bitCount(termLength) != 1) {
            throw uri.bad(TERM_LENGTH, uri.string(TERM_LENGTH, ""), "is not a power of two from 64k to 1g (Aeron's "
                + "term buffers); e.g. termLength=1m, which carries messages up to 128k");
        }
        final long mtu = uri.size(MTU, DEFAULT_MTU);
        if (mtu < MIN_MTU || mtu > MAX_MTU || mtu % FrameDescriptor.FRAME_ALIGNMENT != 0) {
            throw uri.bad(MTU, uri.string(MTU, ""), "is not a multiple of 32 from " + MIN_MTU + " to " + MAX_MTU
                + " bytes; e.g. mtu=1408 for Ethernet, mtu=8k on loopback or with jumbo frames");
        }
        if (mtu > termLength / 8) {
            throw uri.bad(MTU, uri.string(MTU, ""), "is more than an eighth of termLength=" + termLength
                + "; raise termLength or lower mtu");
        }
        final long stream = uri.number(STREAM, DEFAULT_STREAM);
        if (stream < Integer.MIN_VALUE || stream > Integer.MAX_VALUE || stream == 0) {
            throw uri.bad(STREAM, uri.string(STREAM, ""), "is not a non-zero 32-bit stream id");
        }
        final boolean external = "external".equals(uri.choice(DRIVER, "embedded", Set.of("embedded", "external")));
        final String aeronDir = uri.string(AERON_DIR, null);
        if (aeronDir != null && !external) {
            throw uri.bad(AERON_DIR, aeronDir, "names a running media driver's directory, which only driver=external "
                + "uses; add driver=external, or leave aeron.dir out to start a private embedded driver");
        }
        if (aeronDir != null && aeronDir.isBlank()) {
            throw uri.bad(AERON_DIR, aeronDir, "is empty; name the media driver's directory");
        }
        if (external && uri.has(PEER_TIMEOUT)) {
            throw uri.bad(PEER_TIMEOUT, uri.string(PEER_TIMEOUT, ""), "sets an embedded driver's timeouts; an external "
                + "driver uses its own (aeron.image.liveness.timeout, aeron.publication.connection.timeout): set them "
                + "where it is started, or use driver=embedded");
        }
        final Duration peerTimeout = uri.duration(PEER_TIMEOUT, DEFAULT_PEER_TIMEOUT);
        if (peerTimeout.compareTo(MIN_PEER_TIMEOUT) < 0 || peerTimeout.compareTo(MAX_PEER_TIMEOUT) > 0) {
            throw uri.bad(PEER_TIMEOUT, uri.string(PEER_TIMEOUT, ""), "is outside 1s..1h (Aeron's heartbeats come "
                + "every 100 ms, its status messages every 200 ms)");
        }
        final Duration openTimeout = uri.duration(TIMEOUT, DEFAULT_OPEN_TIMEOUT);
        final Duration linger = uri.duration(LINGER, DEFAULT_LINGER);
        if (linger.compareTo(Duration.ofHours(1)) > 0) {
            throw uri.bad(LINGER, uri.string(LINGER, ""), "is longer than 1h");
        }
        return new AeronOptions(endpoint, networkInterface, (int) termLength, (int) mtu, (int) stream, external,
            external ? (aeronDir == null ? CommonContext.getAeronDirectoryName() : aeronDir) : null, peerTimeout,
            openTimeout, linger);
    }

    /**
     * @return the longest message: an eighth of the term length (Aeron's rule), at most 16 MiB.
     */
    public int maxMessageLength() {
        return FrameDescriptor.computeMaxMessageLength(termLength);
    }

    /**
     * @return the Aeron channel of the publication: endpoint, interface, term length, MTU and linger.
     */
    public String publicationChannel() {
        return new ChannelUriStringBuilder().media(MEDIA).endpoint(endpoint).networkInterface(networkInterface)
            .termLength(termLength).mtu(mtu).linger(linger.toNanos()).build();
    }

    /**
     * @return the Aeron channel of the subscription: endpoint and interface.
     */
    public String subscriptionChannel() {
        return new ChannelUriStringBuilder().media(MEDIA).endpoint(endpoint).networkInterface(networkInterface).build();
    }

    private static void checkHostAndPort(final ChannelUri uri, final String name, final String value,
                                         final boolean portRequired) {
        checkCharacters(uri, name, value);
        final int colon = value.lastIndexOf(':');
        final String host = colon < 0 ? value : value.substring(0, colon);
        if (host.isEmpty() || host.startsWith("[") != host.endsWith("]") || host.equals("[]")
            || !host.startsWith("[") && host.indexOf(':') >= 0) {
            throw uri.bad(name, value, "is not HOST:PORT (an IPv6 address goes in brackets, e.g. [::1]:40123)");
        }
        if (colon < 0) {
            if (portRequired) {
                throw uri.bad(name, value, "has no port; give HOST:PORT, e.g. 127.0.0.1:40123");
            }
            return;
        }
        final String port = value.substring(colon + 1);
        final int number;
        try {
            number = Integer.parseInt(port);
        } catch (final NumberFormatException e) {
            throw uri.bad(name, value, "has port '" + port + "', which is not a number from 1 to 65535");
        }
        if (number < (portRequired ? 1 : 0) || number > 65535) {
            throw uri.bad(name, value, "has port " + number + ", outside " + (portRequired ? 1 : 0) + "..65535");
        }
    }

    private static void checkInterface(final ChannelUri uri, final String value) {
        checkCharacters(uri, INTERFACE, value);
        final int slash = value.indexOf('/');
        if (slash >= 0) {
            final String prefix = value.substring(slash + 1);
            if (!prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) > 128) {
                throw uri.bad(INTERFACE, value, "has prefix length '" + prefix + "'; give ADDR/BITS, e.g. "
                    + "192.168.1.0/24");
            }
            checkHostAndPort(uri, INTERFACE, value.substring(0, slash), false);
            return;
        }
        checkHostAndPort(uri, INTERFACE, value, false);
    }

    /** Aeron's own URI separators may not appear in a value: they would smuggle in parameters of their own. */
    private static void checkCharacters(final ChannelUri uri, final String name, final String value) {
        for (int i = 0; i < value.length(); i++) {
            final char c = value.charAt(i);
            if (c == '|' || c == '=' || c == '?' || c <= ' ' || c == 0x7f) {
                throw uri.bad(name, value, "contains '" + (c <= ' ' ? "\\u" + String.format("%04x", (int) c)
                    : String.valueOf(c)) + "', which no address holds");
            }
        }
    }
}
